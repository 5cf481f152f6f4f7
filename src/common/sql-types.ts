/**
 * Resolved SQL types. Runtime value representation (the contract every module relies on):
 *
 *   BOOLEAN   -> boolean              INTEGER -> number (int32)      BIGINT -> bigint
 *   DOUBLE    -> number               DECIMAL -> Decimal (decimal.js), already at the type's scale
 *   STRING    -> string               BYTES   -> Buffer
 *   DATE      -> number (days since epoch)      TIME -> number (ms since midnight)
 *   TIMESTAMP -> number (ms since epoch)
 *   ARRAY     -> unknown[]            MAP     -> Map<key, value>  (insertion ordered)
 *   STRUCT    -> SqlStruct: a plain object keyed by the declared field names, every field present
 *   SQL NULL  -> null (never undefined)
 */

export type SqlType =
  | BooleanType
  | IntegerType
  | BigIntType
  | DoubleType
  | DecimalType
  | StringType
  | BytesType
  | DateType
  | TimeType
  | TimestampType
  | ArrayType
  | MapType
  | StructType;

export type SqlTypeKind = SqlType['kind'];

export interface BooleanType { readonly kind: 'BOOLEAN' }
export interface IntegerType { readonly kind: 'INTEGER' }
export interface BigIntType { readonly kind: 'BIGINT' }
export interface DoubleType { readonly kind: 'DOUBLE' }
export interface DecimalType { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
export interface StringType { readonly kind: 'STRING' }
export interface BytesType { readonly kind: 'BYTES' }
export interface DateType { readonly kind: 'DATE' }
export interface TimeType { readonly kind: 'TIME' }
export interface TimestampType { readonly kind: 'TIMESTAMP' }
export interface ArrayType { readonly kind: 'ARRAY'; readonly element: SqlType }
export interface MapType { readonly kind: 'MAP'; readonly key: SqlType; readonly value: SqlType }
export interface StructField { readonly name: string; readonly type: SqlType }
export interface StructType { readonly kind: 'STRUCT'; readonly fields: readonly StructField[] }

export type SqlStruct = { [field: string]: unknown };

export const SqlTypes = {
  BOOLEAN: { kind: 'BOOLEAN' } as BooleanType,
  INTEGER: { kind: 'INTEGER' } as IntegerType,
  BIGINT: { kind: 'BIGINT' } as BigIntType,
  DOUBLE: { kind: 'DOUBLE' } as DoubleType,
  STRING: { kind: 'STRING' } as StringType,
  BYTES: { kind: 'BYTES' } as BytesType,
  DATE: { kind: 'DATE' } as DateType,
  TIME: { kind: 'TIME' } as TimeType,
  TIMESTAMP: { kind: 'TIMESTAMP' } as TimestampType,
  decimal: (precision: number, scale: number): DecimalType => ({ kind: 'DECIMAL', precision, scale }),
  array: (element: SqlType): ArrayType => ({ kind: 'ARRAY', element }),
  map: (key: SqlType, value: SqlType): MapType => ({ kind: 'MAP', key, value }),
  struct: (fields: readonly StructField[]): StructType => ({ kind: 'STRUCT', fields }),
} as const;

/** ksqlDB's display form: `DECIMAL(4, 2)`, `ARRAY<STRING>`, `STRUCT<`A` INTEGER>`. */
export function formatSqlType(t: SqlType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'ARRAY':
      return `ARRAY<${formatSqlType(t.element)}>`;
    case 'MAP':
      return `MAP<${formatSqlType(t.key)}, ${formatSqlType(t.value)}>`;
    case 'STRUCT':
      return `STRUCT<${t.fields.map((f) => `\`${f.name}\` ${formatSqlType(f.type)}`).join(', ')}>`;
    default:
      return t.kind;
  }
}

export function sqlTypeEquals(a: SqlType, b: SqlType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'DECIMAL': {
      const o = b as DecimalType;
      return a.precision === o.precision && a.scale === o.scale;
    }
    case 'ARRAY':
      return sqlTypeEquals(a.element, (b as ArrayType).element);
    case 'MAP': {
      const o = b as MapType;
      return sqlTypeEquals(a.key, o.key) && sqlTypeEquals(a.value, o.value);
    }
    case 'STRUCT': {
      const o = b as StructType;
      return (
        a.fields.length === o.fields.length &&
        a.fields.every((f, i) => f.name === o.fields[i]!.name && sqlTypeEquals(f.type, o.fields[i]!.type))
      );
    }
    default:
      return true;
  }
}

export function isNumericType(t: SqlType): boolean {
  return t.kind === 'INTEGER' || t.kind === 'BIGINT' || t.kind === 'DOUBLE' || t.kind === 'DECIMAL';
}
