/**
 * Connect schemas and values <-> Sluice's SQL types and runtime values, as ksqlDB's
 * ConnectSchemaTranslator pairs them: INT8/16/32 -> INTEGER, INT64 -> BIGINT, FLOAT32/64 ->
 * DOUBLE, Decimal -> DECIMAL, Date/Time/Timestamp -> DATE/TIME/TIMESTAMP (days, ms of day, ms),
 * STRUCT -> STRUCT (a plain object), MAP -> MAP (a Map). SQL-side schemas are all optional.
 */
import { Decimal } from 'decimal.js';
import { DataError, LogicalTypeNames, Schemas, Struct, type Schema } from '../api/index.js';
import { SqlTypes, type SqlType } from '../../common/sql-types.js';
import { dateFromLogical, decimalScale, mapEntries, timeFromLogical } from './connect-values.js';

const MILLIS_PER_DAY = 86_400_000;

export function connectToSqlType(s: Schema, where = 'value'): SqlType {
  switch (s.name) {
    case LogicalTypeNames.decimal:
      return SqlTypes.decimal(Number(s.parameters?.['connect.decimal.precision'] ?? 64), decimalScale(s));
    case LogicalTypeNames.date:
      return SqlTypes.DATE;
    case LogicalTypeNames.time:
      return SqlTypes.TIME;
    case LogicalTypeNames.timestamp:
      return SqlTypes.TIMESTAMP;
    default:
      break;
  }
  switch (s.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return SqlTypes.INTEGER;
    case 'INT64':
      return SqlTypes.BIGINT;
    case 'FLOAT32':
    case 'FLOAT64':
      return SqlTypes.DOUBLE;
    case 'BOOLEAN':
      return SqlTypes.BOOLEAN;
    case 'STRING':
      return SqlTypes.STRING;
    case 'BYTES':
      return SqlTypes.BYTES;
    case 'ARRAY':
      return SqlTypes.array(connectToSqlType(s.valueSchema!, where));
    case 'MAP':
      return SqlTypes.map(connectToSqlType(s.keySchema!, where), connectToSqlType(s.valueSchema!, where));
    case 'STRUCT':
      return SqlTypes.struct((s.fields ?? []).map((f) => ({ name: f.name, type: connectToSqlType(f.schema, f.name) })));
  }
}

export function sqlToConnectSchema(t: SqlType, name?: string): Schema {
  const opt = true;
  switch (t.kind) {
    case 'BOOLEAN':
      return Schemas.primitive('BOOLEAN', opt);
    case 'INTEGER':
      return Schemas.primitive('INT32', opt);
    case 'BIGINT':
      return Schemas.primitive('INT64', opt);
    case 'DOUBLE':
      return Schemas.primitive('FLOAT64', opt);
    case 'STRING':
      return Schemas.primitive('STRING', opt);
    case 'BYTES':
      return Schemas.primitive('BYTES', opt);
    case 'DECIMAL':
      return { type: 'BYTES', optional: opt, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: String(t.scale), 'connect.decimal.precision': String(t.precision) } };
    case 'DATE':
      return { type: 'INT32', optional: opt, name: LogicalTypeNames.date, version: 1 };
    case 'TIME':
      return { type: 'INT32', optional: opt, name: LogicalTypeNames.time, version: 1 };
    case 'TIMESTAMP':
      return { type: 'INT64', optional: opt, name: LogicalTypeNames.timestamp, version: 1 };
    case 'ARRAY':
      return Schemas.array(sqlToConnectSchema(t.element), opt);
    case 'MAP':
      return Schemas.map(sqlToConnectSchema(t.key), sqlToConnectSchema(t.value), opt);
    case 'STRUCT':
      return Schemas.struct(
        t.fields.map((f) => ({ name: f.name, schema: sqlToConnectSchema(f.type) })),
        { optional: opt, ...(name !== undefined ? { name } : {}) },
      );
  }
}

export function connectToSqlValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (s.name) {
    case LogicalTypeNames.decimal:
      return new Decimal(v as string);
    case LogicalTypeNames.date:
      return dateFromLogical(v as Date);
    case LogicalTypeNames.time:
      return timeFromLogical(v as Date);
    case LogicalTypeNames.timestamp:
      return (v as Date).getTime();
    default:
      break;
  }
  switch (s.type) {
    case 'INT64':
      return BigInt(v as number | bigint);
    case 'ARRAY':
      return (v as unknown[]).map((x) => connectToSqlValue(s.valueSchema!, x));
    case 'MAP':
      return new Map(mapEntries(v).map(([k, x]) => [connectToSqlValue(s.keySchema!, k), connectToSqlValue(s.valueSchema!, x)]));
    case 'STRUCT': {
      if (!(v instanceof Struct)) throw new DataError(`Expected a Struct for ${s.name ?? 'a struct schema'}`);
      const out: Record<string, unknown> = {};
      for (const f of s.fields ?? []) out[f.name] = connectToSqlValue(f.schema, v.get(f.name));
      return out;
    }
    default:
      return v;
  }
}

export function sqlToConnectValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (s.name) {
    case LogicalTypeNames.decimal:
      return (v as Decimal).toFixed(Number(s.parameters!['scale']));
    case LogicalTypeNames.date:
      return new Date((v as number) * MILLIS_PER_DAY);
    case LogicalTypeNames.time:
    case LogicalTypeNames.timestamp:
      return new Date(Number(v));
    default:
      break;
  }
  switch (s.type) {
    case 'ARRAY':
      return (v as unknown[]).map((x) => sqlToConnectValue(s.valueSchema!, x));
    case 'MAP':
      return new Map([...(v as Map<unknown, unknown>)].map(([k, x]) => [sqlToConnectValue(s.keySchema!, k), sqlToConnectValue(s.valueSchema!, x)]));
    case 'STRUCT': {
      const struct = new Struct(s);
      const o = v as Record<string, unknown>;
      for (const f of s.fields ?? []) struct.put(f.name, sqlToConnectValue(f.schema, o[f.name]));
      return struct;
    }
    default:
      return v;
  }
}
