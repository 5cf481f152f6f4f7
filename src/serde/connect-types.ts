/**
 * Facts about SQL types that several schema formats share: the Kafka Connect type name ksqlDB
 * uses in its deserialization errors, and the map-key restriction of JSON, AVRO and PROTOBUF.
 */
import type { SqlType } from '../common/sql-types.js';

/** ksqlDB's Connect schema type name of a SQL type ("Cannot deserialize type int64 as type int32"). */
export function sqlConnectTypeName(t: SqlType): string {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      return 'int32';
    case 'BIGINT':
    case 'TIMESTAMP':
      return 'int64';
    case 'DOUBLE':
      return 'float64';
    case 'STRING':
      return 'string';
    case 'BYTES':
    case 'DECIMAL':
      return 'bytes';
    case 'ARRAY':
      return 'array';
    case 'MAP':
      return 'map';
    case 'STRUCT':
      return 'struct';
  }
}

/** These formats can hold only STRING-keyed maps (ksqlDB's AvroUtil.throwOnInvalidSchema and friends). */
export function hasNonStringMapKey(t: SqlType): boolean {
  switch (t.kind) {
    case 'MAP':
      return t.key.kind !== 'STRING' || hasNonStringMapKey(t.value);
    case 'ARRAY':
      return hasNonStringMapKey(t.element);
    case 'STRUCT':
      return t.fields.some((f) => hasNonStringMapKey(f.type));
    default:
      return false;
  }
}
