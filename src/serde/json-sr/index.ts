/** JSON_SR format: factory, schema derivation and inference; Confluent's registry framing. */
export { createJsonSrSerde, jsonSrSchemaFor } from './json-sr-format.js';
export { deriveJsonSchema, inferColumnsFromJsonSchema } from './json-schema.js';
export { frameHeader, framedSchemaId, HEADER_SIZE, MAGIC_BYTE, subjectName } from './sr-framing.js';
