/** PROTOBUF and PROTOBUF_NOSR formats: factories, schema derivation and inference. */
export { createProtobufNoSrSerde, createProtobufSerde, messageIndexBytes, parseRegisteredProtobuf, protobufNullableRepresentation, protobufSchemaFor, registryImports } from './protobuf-format.js';
export type { ProtobufFormatOptions } from './protobuf-format.js';
export { columnsOfProtobufMessage, inferColumnsFromProtobufSchema } from './proto-infer.js';
export { deriveProtobufSchema } from './proto-derive.js';
export type { NullableRepresentation } from './proto-derive.js';
export { findMessage, parseProtoFile, ProtoSchemaError } from './proto-schema.js';
export type { ImportResolver, ProtoFile, ProtoMessage } from './proto-schema.js';
