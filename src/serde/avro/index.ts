/** The AVRO format: serde factory, schema derivation and inference, test-data encoding. */
export { avroIsUnwrapped, avroSchemaFor, avroSubject, createAvroSerde, decodeAvroToJson, encodeAvroFromJson } from './avro-format.js';
export { AVRO_SCHEMA_NAMESPACE, DEFAULT_AVRO_SCHEMA_FULL_NAME, avroKeySchemaFullName } from './avro-derive.js';
export { inferColumnsFromAvroSchema } from './avro-infer.js';
export type { AvroInferenceOptions } from './avro-infer.js';
