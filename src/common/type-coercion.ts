/**
 * ksqlDB's implicit type rules: numeric widening (INT -> BIGINT -> DECIMAL -> DOUBLE), the common
 * super type used by CASE / COALESCE / ARRAY[...] / IN, and the DECIMAL result types of arithmetic
 * (ksqlDB's DecimalUtil / SqlDecimal rules).
 */
import type { DecimalType, SqlType } from './sql-types.js';
import { SqlTypes, isNumericType, sqlTypeEquals } from './sql-types.js';

/** The DECIMAL an integral type widens to: INT is DECIMAL(10, 0), BIGINT is DECIMAL(19, 0). */
export function toDecimalType(t: SqlType): DecimalType | undefined {
  switch (t.kind) {
    case 'INTEGER':
      return SqlTypes.decimal(10, 0);
    case 'BIGINT':
      return SqlTypes.decimal(19, 0);
    case 'DECIMAL':
      return t;
    default:
      return undefined;
  }
}

/** The smallest decimal holding both: scale max(s1, s2), integer digits max(p1-s1, p2-s2). */
export function widenDecimals(a: DecimalType, b: DecimalType): DecimalType {
  const scale = Math.max(a.scale, b.scale);
  const intDigits = Math.max(a.precision - a.scale, b.precision - b.scale);
  return SqlTypes.decimal(intDigits + scale, scale);
}

const NUMERIC_RANK: Partial<Record<SqlType['kind'], number>> = { INTEGER: 0, BIGINT: 1, DECIMAL: 2, DOUBLE: 3 };

/** Whether a value of `from` may be used where `to` is expected without an explicit CAST. */
export function canImplicitlyCast(from: SqlType, to: SqlType): boolean {
  if (sqlTypeEquals(from, to)) return true;
  const rf = NUMERIC_RANK[from.kind];
  const rt = NUMERIC_RANK[to.kind];
  if (rf !== undefined && rt !== undefined) {
    if (to.kind === 'DECIMAL') {
      const d = toDecimalType(from);
      if (!d) return false;
      return to.precision - to.scale >= d.precision - d.scale && to.scale >= d.scale;
    }
    return rf < rt;
  }
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') return canImplicitlyCast(from.element, to.element);
  if (from.kind === 'MAP' && to.kind === 'MAP') return canImplicitlyCast(from.key, to.key) && canImplicitlyCast(from.value, to.value);
  if (from.kind === 'STRUCT' && to.kind === 'STRUCT') {
    return (
      from.fields.length === to.fields.length &&
      from.fields.every((f, i) => f.name === to.fields[i]!.name && canImplicitlyCast(f.type, to.fields[i]!.type))
    );
  }
  return false;
}

/**
 * The type every input can be implicitly cast to, or undefined if there is none. Numbers widen
 * (any DOUBLE gives DOUBLE, else any DECIMAL gives a decimal wide enough for all), containers
 * widen element-wise; anything else must match exactly.
 */
export function commonSuperType(types: readonly SqlType[]): SqlType | undefined {
  if (types.length === 0) return undefined;
  let acc: SqlType = types[0]!;
  for (let i = 1; i < types.length; i++) {
    const next = superOfTwo(acc, types[i]!);
    if (!next) return undefined;
    acc = next;
  }
  return acc;
}

function superOfTwo(a: SqlType, b: SqlType): SqlType | undefined {
  if (sqlTypeEquals(a, b)) return a;
  if (isNumericType(a) && isNumericType(b)) {
    if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return SqlTypes.DOUBLE;
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') return widenDecimals(toDecimalType(a)!, toDecimalType(b)!);
    if (a.kind === 'BIGINT' || b.kind === 'BIGINT') return SqlTypes.BIGINT;
    return SqlTypes.INTEGER;
  }
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const e = superOfTwo(a.element, b.element);
    return e && SqlTypes.array(e);
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = superOfTwo(a.key, b.key);
    const v = superOfTwo(a.value, b.value);
    return k && v && SqlTypes.map(k, v);
  }
  if (a.kind === 'STRUCT' && b.kind === 'STRUCT') {
    if (a.fields.length !== b.fields.length) return undefined;
    const fields = [];
    for (let i = 0; i < a.fields.length; i++) {
      const fa = a.fields[i]!;
      const fb = b.fields[i]!;
      if (fa.name !== fb.name) return undefined;
      const t = superOfTwo(fa.type, fb.type);
      if (!t) return undefined;
      fields.push({ name: fa.name, type: t });
    }
    return SqlTypes.struct(fields);
  }
  return undefined;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/** ksqlDB's result type of DECIMAL arithmetic (both sides already decimals). */
export function decimalArithmeticType(op: ArithmeticOp, a: DecimalType, b: DecimalType): DecimalType {
  const [p1, s1, p2, s2] = [a.precision, a.scale, b.precision, b.scale];
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(s1, s2);
      return SqlTypes.decimal(Math.max(p1 - s1, p2 - s2) + scale + 1, scale);
    }
    case '*':
      return SqlTypes.decimal(p1 + p2 + 1, s1 + s2);
    case '/': {
      const scale = Math.max(6, s1 + p2 + 1);
      return SqlTypes.decimal(p1 - s1 + s2 + scale, scale);
    }
    case '%': {
      const scale = Math.max(s1, s2);
      return SqlTypes.decimal(Math.min(p1 - s1, p2 - s2) + scale, scale);
    }
  }
}

/** Result type of `a op b` for numeric operands, or undefined when the types are not numeric. */
export function numericArithmeticType(op: ArithmeticOp, a: SqlType, b: SqlType): SqlType | undefined {
  if (!isNumericType(a) || !isNumericType(b)) return undefined;
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return SqlTypes.DOUBLE;
  if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') return decimalArithmeticType(op, toDecimalType(a)!, toDecimalType(b)!);
  if (a.kind === 'BIGINT' || b.kind === 'BIGINT') return SqlTypes.BIGINT;
  return SqlTypes.INTEGER;
}
