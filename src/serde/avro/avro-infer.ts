/**
 * Schema inference (ksqlDB's ConnectFormatSchemaTranslator + ConnectKsqlSchemaTranslator): the
 * columns of a CREATE STREAM / TABLE without elements, from the latest registered schema.
 *
 *  - keys are always unwrapped: one column ROWKEY of the schema's type (a record gives a STRUCT);
 *  - values: a record's fields are the columns; with WRAP_SINGLE_VALUE=false, one column ROWVAL;
 *  - field names are upper-cased, or kept as they are when the schema was named by id
 *    (KEY_SCHEMA_ID / VALUE_SCHEMA_ID: ksqlDB's ORIGINAL_FIELD_NAME policy);
 *  - int -> INT (date -> DATE, time-millis -> TIME), long -> BIGINT (timestamp-millis -> TIMESTAMP),
 *    float/double -> DOUBLE, string/enum -> STRING, bytes/fixed -> BYTES (decimal -> DECIMAL),
 *    array -> ARRAY, map and Connect MapEntry arrays -> MAP<STRING, V>, record -> STRUCT, a union
 *    with null -> the other type, a general union -> STRUCT of its branches;
 *  - fields of types ksqlDB cannot hold (null, maps with other keys, recursion) are left out.
 */
import { ConfigError } from '../../common/errors.js';
import type { SqlType, StructField } from '../../common/sql-types.js';
import type { SerdeColumn, SerdeTarget } from '../serde-types.js';
import type { AvroNode } from './avro-schema.js';
import { AvroSchemaError, mapEntryRecord, optionalBranch, parseAvroSchema, unionMemberName } from './avro-schema.js';

export interface AvroInferenceOptions {
  /** WRAP_SINGLE_VALUE=false (values only): the whole schema is one column, ROWVAL */
  readonly unwrapped?: boolean;
  /** the schema was chosen by KEY_SCHEMA_ID / VALUE_SCHEMA_ID: keep field names as they are */
  readonly originalNames?: boolean;
}

class Unsupported extends Error {}

class Translator {
  private readonly inProgress = new Set<AvroNode>();

  constructor(private readonly originalNames: boolean) {}

  private fieldName(name: string): string {
    return this.originalNames ? name : name.toUpperCase();
  }

  private struct(fields: readonly { name: string; node: AvroNode }[]): SqlType {
    const out: StructField[] = [];
    for (const f of fields) {
      let type: SqlType;
      try {
        type = this.type(f.node);
      } catch (e) {
        // ksqlDB logs and leaves out a field of a type it does not support
        if (e instanceof Unsupported) continue;
        throw e;
      }
      const name = this.fieldName(f.name);
      if (out.some((o) => o.name === name)) throw new ConfigError(`Cannot create field because of field name duplication ${name}`);
      out.push({ name, type });
    }
    return { kind: 'STRUCT', fields: out };
  }

  type(node: AvroNode): SqlType {
    switch (node.kind) {
      case 'null':
        throw new Unsupported('Unsupported type: null');
      case 'boolean':
        return { kind: 'BOOLEAN' };
      case 'int':
        return node.logical === 'date' ? { kind: 'DATE' } : node.logical === 'time-millis' ? { kind: 'TIME' } : { kind: 'INTEGER' };
      case 'long':
        return node.logical === 'timestamp-millis' ? { kind: 'TIMESTAMP' } : { kind: 'BIGINT' };
      case 'float':
      case 'double':
        return { kind: 'DOUBLE' };
      case 'string':
      case 'enum':
        return { kind: 'STRING' };
      case 'bytes':
      case 'fixed':
        return node.decimal ? { kind: 'DECIMAL', precision: node.decimal.precision, scale: node.decimal.scale } : { kind: 'BYTES' };
      case 'array': {
        const entry = mapEntryRecord(node);
        if (entry) {
          const key = this.type(entry.fields.find((f) => f.name === 'key')!.type);
          if (!['INTEGER', 'BIGINT', 'BOOLEAN', 'STRING'].includes(key.kind)) throw new Unsupported(`Unsupported type for map key: ${key.kind}`);
          return { kind: 'MAP', key: { kind: 'STRING' }, value: this.type(entry.fields.find((f) => f.name === 'value')!.type) };
        }
        return { kind: 'ARRAY', element: this.type(node.items) };
      }
      case 'map':
        return { kind: 'MAP', key: { kind: 'STRING' }, value: this.type(node.values) };
      case 'record': {
        if (this.inProgress.has(node)) throw new Unsupported(`Unsupported recursive type: ${node.name}`);
        this.inProgress.add(node);
        try {
          return this.struct(node.fields.map((f) => ({ name: f.name, node: f.type })));
        } finally {
          this.inProgress.delete(node);
        }
      }
      case 'union': {
        const only = optionalBranch(node);
        if (only) return this.type(only);
        return this.struct(node.branches.filter((b) => b.kind !== 'null').map((b) => ({ name: unionMemberName(b), node: b })));
      }
    }
  }
}

/**
 * The columns ksqlDB infers from a registered Avro schema for the key or the value of a source.
 * Throws ConfigError with ksqlDB's messages when the schema cannot give columns.
 */
export function inferColumnsFromAvroSchema(schemaText: string, target: SerdeTarget, options: AvroInferenceOptions = {}): SerdeColumn[] {
  let node: AvroNode;
  try {
    node = parseAvroSchema(schemaText);
  } catch (e) {
    if (e instanceof AvroSchemaError) throw new ConfigError(`Invalid Avro schema: ${e.message}`);
    throw e;
  }
  const t = new Translator(options.originalNames ?? false);
  const root = (): SqlType => {
    try {
      return t.type(node);
    } catch (e) {
      if (e instanceof Unsupported) throw new ConfigError(`Unsupported type at root of schema: ${e.message}`);
      throw e;
    }
  };
  if (target === 'KEY') return [{ name: 'ROWKEY', type: root() }];
  if (options.unwrapped) return [{ name: 'ROWVAL', type: root() }];
  const isStruct = node.kind === 'record' || (node.kind === 'union' && (optionalBranch(node)?.kind ?? 'record') === 'record');
  if (!isStruct) {
    throw new ConfigError(
      'Schema returned from schema registry is anonymous type. ' +
        "To use this schema with ksqlDB, set 'WRAP_SINGLE_VALUE=false' in the WITH clause properties.",
    );
  }
  const row = root();
  if (row.kind !== 'STRUCT') throw new ConfigError('KSQL stream/table schema must be structured');
  if (row.fields.length === 0) {
    throw new ConfigError(`Schema does not include any columns with types that ksqlDB supports.\nschema: ${schemaText}`);
  }
  return row.fields.map((f) => ({ name: f.name, type: f.type }));
}
