/**
 * The type checker: AST expression + scope -> typed tree. Resolves columns (lambda parameters
 * shadow them), struct fields, subscripts and scalar function overloads, applies ksqlDB's implicit
 * widening as explicit Cast nodes, and folds casts of literals. Aggregate and table function calls
 * are rejected here: the planner extracts them first.
 */
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes, formatSqlType, isNumericType, sqlTypeEquals } from '../common/sql-types.js';
import { TypeCheckError } from '../common/errors.js';
import type { ComparisonOperator, Expression, ExpressionKind, TypeNode } from '../sql/ast.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { ArgShape } from '../functions/resolve-overload.js';
import type { Scope, TypedExpression, TypedLambda } from './typed-expression.js';
import { commonSuperType, numericArithmeticType, toDecimalType, widenDecimals } from './type-coercion.js';
import { CodegenError } from './codegen-error.js';
import { castValue, isCastSupported, parseBooleanExact, valueToJavaString } from './cast-value.js';
import { decimalLiteral, doubleLiteral, integerLiteral, numericTextLiteral } from './literal-values.js';
import { formatExpression } from './format-expression.js';

export interface TypeCheckOptions {
  /** resolves a type registered with CREATE TYPE */
  readonly resolveNamedType?: (name: string) => SqlType | undefined;
  /**
   * Types aggregate calls by their return type instead of rejecting them, as ksqlDB does when it
   * validates a HAVING clause against the source columns. The typed tree is then for validation
   * only: an aggregate call stands in it as a NULL of its type, so it must not be compiled.
   */
  readonly typeAggregateCalls?: boolean;
}

/** A NULL literal before its context gives it a type. */
interface UntypedNull {
  readonly kind: 'UntypedNull';
}
const UNTYPED_NULL: UntypedNull = { kind: 'UntypedNull' };
type Checked = TypedExpression | UntypedNull;

interface Ctx {
  readonly scope: Scope;
  readonly registry: FunctionRegistry;
  readonly options: TypeCheckOptions;
  /** innermost lambda last */
  readonly lambdas: readonly (readonly { readonly name: string; readonly type: SqlType }[])[];
}

const rootTexts = new WeakMap<TypedExpression, string>();

/** The text of the expression a typed tree was checked from (for processing-log messages). */
export function expressionTextOf(t: TypedExpression): string | undefined {
  return rootTexts.get(t);
}

const CANNOT_INFER_NULL = "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).";

export function typeCheck(expr: Expression, scope: Scope, registry: FunctionRegistry, options: TypeCheckOptions = {}): TypedExpression {
  const c = check(expr, { scope, registry, options, lambdas: [] });
  const typed = requireTyped(c, expr);
  rootTexts.set(typed, formatExpression(expr));
  return typed;
}

function fail(expr: Expression, message: string): never {
  throw new TypeCheckError(message, expr.pos, formatExpression(expr));
}

/** An error ksqlDB only reports when generating code (see codegen-error.ts). */
function failCodegen(expr: Expression, message: string): never {
  throw new CodegenError(message, expr.pos, formatExpression(expr));
}

function requireTyped(c: Checked, expr: Expression): TypedExpression {
  if (c.kind === 'UntypedNull') fail(expr, CANNOT_INFER_NULL);
  return c;
}

/** Converts to `to`: NULL gets the type, literals are converted now, anything else gets a Cast node. */
export function coerceTo(c: Checked, to: SqlType): TypedExpression {
  if (c.kind === 'UntypedNull') return { kind: 'Literal', type: to, value: null };
  if (sqlTypeEquals(c.type, to)) return c;
  if (c.kind === 'Literal') {
    try {
      return { kind: 'Literal', type: to, value: castValue(c.value, c.type, to), ...(c.pos ? { pos: c.pos } : {}) };
    } catch {
      // a literal that cannot be converted fails at run time, as ksqlDB does
    }
  }
  return { kind: 'Cast', type: to, operand: c, ...(c.pos ? { pos: c.pos } : {}) };
}

function typeOf(c: Checked): SqlType | undefined {
  return c.kind === 'UntypedNull' ? undefined : c.type;
}

export function resolveTypeNode(t: TypeNode, options: TypeCheckOptions = {}): SqlType {
  switch (t.kind) {
    case 'PrimitiveType':
      return SqlTypes[t.name];
    case 'DecimalType':
      if (t.precision < 1 || t.scale < 0 || t.scale > t.precision) {
        throw new TypeCheckError(`DECIMAL precision must be >= 1 and scale between 0 and precision: DECIMAL(${t.precision}, ${t.scale})`, t.pos);
      }
      return SqlTypes.decimal(t.precision, t.scale);
    case 'ArrayType':
      return SqlTypes.array(resolveTypeNode(t.element, options));
    case 'MapType':
      return SqlTypes.map(resolveTypeNode(t.key, options), resolveTypeNode(t.value, options));
    case 'StructType':
      return SqlTypes.struct(t.fields.map((f) => ({ name: f.name, type: resolveTypeNode(f.type, options) })));
    case 'NamedType': {
      const r = options.resolveNamedType?.(t.name);
      if (!r) throw new TypeCheckError(`Unknown type: ${t.name}`, t.pos);
      return r;
    }
  }
}

const OP_NAMES: Record<ComparisonOperator, string> = {
  '=': 'EQUAL',
  '<>': 'NOT_EQUAL',
  '<': 'LESS_THAN',
  '<=': 'LESS_THAN_OR_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_THAN_OR_EQUAL',
};

const TEMPORAL = new Set(['DATE', 'TIME', 'TIMESTAMP']);

/** The type two operands are compared as, or undefined if they cannot be compared. */
function comparisonType(a: SqlType, b: SqlType, ordering: boolean): SqlType | undefined {
  if (ordering && (a.kind === 'ARRAY' || a.kind === 'MAP' || a.kind === 'STRUCT' || b.kind === 'ARRAY' || b.kind === 'MAP' || b.kind === 'STRUCT')) {
    return undefined;
  }
  const s = commonSuperType([a, b]);
  if (s) return s;
  // ksqlDB compares temporal values with ISO strings, and DATE with TIMESTAMP
  if (TEMPORAL.has(a.kind) && b.kind === 'STRING') return a;
  if (TEMPORAL.has(b.kind) && a.kind === 'STRING') return b;
  if ((a.kind === 'DATE' && b.kind === 'TIMESTAMP') || (a.kind === 'TIMESTAMP' && b.kind === 'DATE')) return SqlTypes.TIMESTAMP;
  return undefined;
}

function isLiteralAst(e: Expression): boolean {
  switch (e.kind) {
    case 'BooleanLiteral':
    case 'IntegerLiteral':
    case 'DecimalLiteral':
    case 'DoubleLiteral':
    case 'StringLiteral':
    case 'NullLiteral':
      return true;
    case 'Negate':
      return isLiteralAst(e.operand);
    default:
      return false;
  }
}

/** An ARRAY / MAP / STRUCT constructor containing string literals, which may coerce to other types. */
function isCoercibleConstructor(e: Expression): boolean {
  const leaf = (x: Expression): boolean => x.kind === 'StringLiteral' || isCoercibleConstructor(x);
  switch (e.kind) {
    case 'ArrayConstructor':
      return e.elements.some(leaf);
    case 'MapConstructor':
      return e.entries.some((x) => leaf(x.key) || leaf(x.value));
    case 'StructConstructor':
      return e.fields.some((f) => leaf(f.value));
    default:
      return false;
  }
}

/** A string literal read as a value of `target` at check time (ksqlDB's literal coercion). */
function stringLiteralAs(e: Expression, text: string, target: SqlType): TypedExpression | undefined {
  const invalid = () => fail(e, `invalid input syntax for type ${formatSqlType(target)}: "${text}".`);
  if (isNumericType(target)) {
    const n = numericTextLiteral(text);
    if (!n) invalid();
    return { kind: 'Literal', type: n!.type, value: n!.value };
  }
  if (target.kind === 'BOOLEAN') {
    const b = parseBooleanExact(text);
    if (b === undefined) invalid();
    return { kind: 'Literal', type: SqlTypes.BOOLEAN, value: b };
  }
  if (TEMPORAL.has(target.kind)) {
    try {
      return { kind: 'Literal', type: target, value: castValue(text, SqlTypes.STRING, target) };
    } catch {
      invalid();
    }
  }
  return undefined;
}

/**
 * Gives a list of expressions one type (IN lists, CASE results, constructor elements): numbers
 * widen, and literals are coerced towards the type of the first non-literal-string item: string
 * literals are parsed as numbers, booleans, dates..., other literals become strings.
 */
function unify(
  exprs: readonly Expression[],
  checked: Checked[],
  ctx: Ctx,
  mismatch: (target: SqlType, e: Expression, t: SqlType) => never,
): { items: TypedExpression[]; type: SqlType | undefined } {
  let target: SqlType | undefined;
  const needsString: number[] = [];
  for (let i = 0; i < exprs.length; i++) {
    const t = typeOf(checked[i]!);
    if (!t || exprs[i]!.kind === 'StringLiteral') continue;
    if (!target) {
      target = t;
      continue;
    }
    const s = commonSuperType([target, t]);
    if (s) target = s;
    else if (target.kind === 'STRING' && isLiteralAst(exprs[i]!)) needsString.push(i);
    else if (!isCoercibleConstructor(exprs[i]!)) mismatch(target, exprs[i]!, t);
    // constructors of literals are checked element by element against the final type below
  }
  if (!target) {
    if (checked.every((c) => c.kind === 'UntypedNull')) return { items: [], type: undefined };
    target = SqlTypes.STRING;
  }
  // string literals parsed as the target type may widen it (INT IN ('2147483648') is BIGINT)
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i]!;
    if (e.kind !== 'StringLiteral' || target.kind === 'STRING') continue;
    const parsed = stringLiteralAs(e, e.value, target);
    if (!parsed) mismatch(target, e, SqlTypes.STRING);
    const s = commonSuperType([target, parsed!.type]);
    if (!s) mismatch(target, e, parsed!.type);
    target = s!;
    checked[i] = parsed!;
  }
  for (const i of needsString) {
    const c = checked[i] as TypedExpression;
    checked[i] = { kind: 'Literal', type: SqlTypes.STRING, value: castValue((c as { value?: unknown }).value ?? null, c.type, SqlTypes.STRING) };
  }
  const final = target;
  return { items: checked.map((c, i) => coerceDeep(exprs[i]!, c, final, ctx, mismatch)), type: final };
}

/** coerceTo, re-checking constructors of literals against the target's element types. */
function coerceDeep(
  e: Expression,
  c: Checked,
  target: SqlType,
  ctx: Ctx,
  mismatch: (target: SqlType, e: Expression, t: SqlType) => never,
): TypedExpression {
  if (c.kind !== 'UntypedNull' && !sqlTypeEquals(c.type, target)) {
    if (e.kind === 'ArrayConstructor' && target.kind === 'ARRAY') {
      const items = e.elements.map((x) => coerceElement(x, target.element, ctx, mismatch));
      return { kind: 'Array', type: target, elements: items };
    }
    if (e.kind === 'MapConstructor' && target.kind === 'MAP') {
      return {
        kind: 'Map',
        type: target,
        entries: e.entries.map((x) => ({ key: coerceElement(x.key, target.key, ctx, mismatch), value: coerceElement(x.value, target.value, ctx, mismatch) })),
      };
    }
    if (e.kind === 'StructConstructor' && target.kind === 'STRUCT' && target.fields.length === e.fields.length) {
      return {
        kind: 'Struct',
        type: target,
        fields: e.fields.map((f, i) => ({ name: f.name, value: coerceElement(f.value, target.fields[i]!.type, ctx, mismatch) })),
      };
    }
    if (!isCastSupported(c.type, target)) mismatch(target, e, c.type);
  }
  return coerceTo(c, target);
}

function coerceElement(e: Expression, target: SqlType, ctx: Ctx, mismatch: (target: SqlType, e: Expression, t: SqlType) => never): TypedExpression {
  let c = check(e, ctx);
  if (e.kind === 'StringLiteral' && target.kind !== 'STRING') {
    const parsed = stringLiteralAs(e, e.value, target);
    if (!parsed) mismatch(target, e, SqlTypes.STRING);
    c = parsed!;
  }
  const t = typeOf(c);
  if (t && !commonSuperType([t, target]) && !(target.kind === 'STRING' && isLiteralAst(e))) mismatch(target, e, t);
  return coerceDeep(e, c, target, ctx, mismatch);
}

// ---------------------------------------------------------------------------------------------
// ksqlDB's CoercionUtil.coerceUserList: one type for the items of IN lists and ARRAY / MAP
// constructors. The first typed item sets the type; each further item widens it: numbers widen,
// string literals are read as numbers (or checked as booleans), other literals coerce laxly (to and
// from STRING), other expressions strictly; constructors are coerced element by element and
// structs to the union of their fields. Literals are converted now, other items get a CAST.
// ---------------------------------------------------------------------------------------------

interface UserListResult {
  readonly items: TypedExpression[];
  /** undefined when every item is NULL */
  readonly type: SqlType | undefined;
}

/** A failed coercion ("operator does not exist"), as opposed to a malformed literal. */
class InvalidCoercion extends TypeCheckError {}

const HINT = '\nHint: You might need to add explicit type casts.';

function coercionFailure(x: Expression, source: SqlType | undefined, target: SqlType): never {
  const message = `operator does not exist: ${formatSqlType(target)} = ${source ? formatSqlType(source) : 'null'} (${formatExpression(x)})${HINT}`;
  throw new InvalidCoercion(message, x.pos, formatExpression(x));
}

function invalidSyntax(x: Expression, value: string, target: SqlType): never {
  fail(x, `invalid input syntax for type ${target.kind}: "${value}".`);
}

function isKsqlLiteral(e: Expression): boolean {
  return isLiteralAst(e);
}

const NUMBER_KINDS = new Set(['INTEGER', 'BIGINT', 'DECIMAL', 'DOUBLE']);
const TO_STRING_LAX = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DECIMAL', 'DOUBLE', 'TIMESTAMP', 'TIME', 'DATE']);
const FROM_STRING_STRICT = new Set(['TIMESTAMP', 'TIME', 'DATE', 'BYTES']);
const FROM_STRING_LAX = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DECIMAL', 'DOUBLE']);

/** ksqlDB's DefaultSqlValueCoercer.canCoerce (STRICT, or LAX for literals): the type holding both. */
function canCoerce(from: SqlType, to: SqlType, lax: boolean): SqlType | undefined {
  if (from.kind === to.kind) {
    switch (from.kind) {
      case 'DECIMAL':
        return widenDecimals(from, to as typeof from);
      case 'ARRAY': {
        const e = canCoerce(from.element, (to as typeof from).element, lax);
        return e && SqlTypes.array(e);
      }
      case 'MAP': {
        const m = to as typeof from;
        const k = canCoerce(from.key, m.key, lax);
        const v = k && canCoerce(from.value, m.value, lax);
        return k && v && SqlTypes.map(k, v);
      }
      case 'STRUCT': {
        const target = to as typeof from;
        const names = [...new Set([...from.fields.map((f) => f.name), ...target.fields.map((f) => f.name)])];
        const fields: { name: string; type: SqlType }[] = [];
        for (const name of names) {
          const ff = from.fields.find((f) => f.name === name);
          const tf = target.fields.find((f) => f.name === name);
          let type: SqlType | undefined;
          if (!ff) type = tf!.type;
          else if (!tf) type = ff.type;
          else type = canCoerce(ff.type, tf.type, lax);
          if (!type) return undefined;
          fields.push({ name, type });
        }
        return SqlTypes.struct(fields);
      }
      default:
        return to;
    }
  }
  switch (from.kind) {
    case 'INTEGER':
    case 'BIGINT':
      if (from.kind === 'INTEGER' && to.kind === 'BIGINT') return to;
      if (to.kind === 'DECIMAL') return widenDecimals(toDecimalType(from)!, to);
      if (to.kind === 'DOUBLE') return to;
      break;
    case 'DECIMAL':
      if (to.kind === 'DOUBLE') return to;
      break;
    case 'STRING':
      if (FROM_STRING_STRICT.has(to.kind) || (lax && FROM_STRING_LAX.has(to.kind))) return to;
      break;
    default:
      break;
  }
  if (lax && to.kind === 'STRING' && TO_STRING_LAX.has(from.kind)) return to;
  return undefined;
}

const BIG_DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The SQL type of a number written in a string (CoercionUtil.getStringNumericType); undefined if not a number. */
function stringNumericType(value: string): SqlType | undefined {
  const t = value.trim();
  if (!BIG_DECIMAL_RE.test(t)) return undefined;
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(t)!;
  const [, sign = '', intPart = '', frac = '', exp = '0'] = m;
  const scientific = value.includes('.') || value.includes('e') || value.includes('E');
  const unscaled = BigInt(sign + (intPart + frac || '0'));
  let scale = frac.length - Number(exp);
  if (!scientific && scale === 0) {
    // java's bounds are exclusive here: MIN_VALUE and MAX_VALUE themselves widen
    if (unscaled > -2147483648n && unscaled < 2147483647n) return SqlTypes.INTEGER;
    if (unscaled > -9223372036854775808n && unscaled < 9223372036854775807n) return SqlTypes.BIGINT;
  }
  // DecimalUtil.fromValue: no negative scale; values in (-1, 1) have precision scale + 1
  let digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  if (scale < 0) {
    digits = digits === '0' ? '0' : digits + '0'.repeat(-scale);
    scale = 0;
  }
  const magnitudeBelowOne = digits.length <= scale || digits === '0';
  if (magnitudeBelowOne) return SqlTypes.decimal(scale + 1, scale);
  return SqlTypes.decimal(digits.length, scale);
}

/** CoercionUtil.resolveCommonNumericTypeFromStringLiteral. */
function numericTypeFromStringLiteral(x: Expression, value: string, target: SqlType): SqlType {
  const source = stringNumericType(value);
  if (!source) invalidSyntax(x, value, target);
  if (source.kind === 'DOUBLE' || target.kind === 'DOUBLE') return SqlTypes.DOUBLE;
  if (source.kind === 'DECIMAL' || target.kind === 'DECIMAL') return widenDecimals(toDecimalType(source)!, toDecimalType(target)!);
  const order = ['INTEGER', 'BIGINT'];
  return order.indexOf(source.kind) <= order.indexOf(target.kind) ? target : source;
}

function typeOfExpr(x: Expression, ctx: Ctx): SqlType | undefined {
  return typeOf(check(x, ctx));
}

function resolveCommonType(x: Expression, source: SqlType | undefined, common: SqlType | undefined, ctx: Ctx): SqlType | undefined {
  if (!common) return source;
  if (!source) return common;
  switch (x.kind) {
    case 'ArrayConstructor': {
      if (common.kind !== 'ARRAY') coercionFailure(x, source, common);
      const element = nestedCommonType(x, source, common, () => structuredCommonType(common.element, x.elements, ctx));
      return element && SqlTypes.array(element);
    }
    case 'MapConstructor': {
      if (common.kind !== 'MAP') coercionFailure(x, source, common);
      return nestedCommonType(x, source, common, () => {
        const k = structuredCommonType(common.key, x.entries.map((en) => en.key), ctx);
        const v = structuredCommonType(common.value, x.entries.map((en) => en.value), ctx);
        return k && v && SqlTypes.map(k, v);
      });
    }
    case 'StructConstructor': {
      if (common.kind !== 'STRUCT') coercionFailure(x, source, common);
      return nestedCommonType(x, source, common, () => {
        const names = [...new Set([...x.fields.map((f) => f.name), ...common.fields.map((f) => f.name)])];
        return SqlTypes.struct(
          names.map((name) => {
            const value = x.fields.find((f) => f.name === name)?.value;
            const sourceType = value ? typeOfExpr(value, ctx) : undefined;
            const targetType = common.fields.find((f) => f.name === name)?.type;
            const type = !targetType ? sourceType : !sourceType ? targetType : resolveCommonType(value!, sourceType, targetType, ctx);
            if (!type) fail(x, CANNOT_INFER_NULL);
            return { name, type };
          }),
        );
      });
    }
    case 'StringLiteral':
      if (NUMBER_KINDS.has(common.kind)) return numericTypeFromStringLiteral(x, x.value, common);
      if (common.kind === 'BOOLEAN') {
        if (parseBooleanExact(x.value) === undefined) invalidSyntax(x, x.value, common);
        return common;
      }
      break;
    default:
      break;
  }
  const lax = isKsqlLiteral(x);
  return canCoerce(source, common, lax) ?? canCoerce(common, source, lax) ?? coercionFailure(x, source, common);
}

/** A failure inside a constructor is reported for the constructor as a whole. */
function nestedCommonType(x: Expression, source: SqlType, target: SqlType, resolve: () => SqlType | undefined): SqlType | undefined {
  try {
    return resolve();
  } catch (err) {
    if (err instanceof InvalidCoercion) coercionFailure(x, source, target);
    throw err;
  }
}

/** The common type of `target` and the items of a nested constructor. */
function structuredCommonType(target: SqlType, exprs: readonly Expression[], ctx: Ctx): SqlType | undefined {
  let common: SqlType | undefined = target;
  for (const x of exprs) common = resolveCommonType(x, typeOfExpr(x, ctx), common, ctx);
  return common;
}

/** Converts a literal's value to the common type as ksqlDB's lax coercer does. */
function coerceLiteral(x: Expression, lit: Extract<TypedExpression, { kind: 'Literal' }>, to: SqlType): TypedExpression {
  const from = lit.type;
  const value = lit.value;
  let out: unknown;
  try {
    if (to.kind === 'STRING') out = valueToJavaString(value, from);
    else if (from.kind === 'STRING' && to.kind === 'BOOLEAN') {
      out = parseBooleanExact(value as string);
      if (out === undefined) throw new Error();
    } else out = castValue(value, from, to);
  } catch {
    invalidSyntax(x, valueToJavaString(value, from), to);
  }
  return { kind: 'Literal', type: to, value: out, ...(lit.pos ? { pos: lit.pos } : {}) };
}

function coerceUserList(exprs: readonly Expression[], ctx: Ctx): UserListResult {
  const checked = exprs.map((x) => check(x, ctx));
  let common: SqlType | undefined;
  exprs.forEach((x, i) => {
    common = resolveCommonType(x, typeOf(checked[i]!), common, ctx);
  });
  if (!common) return { items: [], type: undefined };
  const target: SqlType = common;
  const items = checked.map((c, i) => {
    if (c.kind === 'UntypedNull' || sqlTypeEquals(c.type, target)) return coerceTo(c, target);
    if (c.kind === 'Literal' && isKsqlLiteral(exprs[i]!)) return coerceLiteral(exprs[i]!, c, target);
    return { kind: 'Cast', type: target, operand: c, ...(c.pos ? { pos: c.pos } : {}) } as TypedExpression;
  });
  return { items, type: target };
}

type Handler<K extends ExpressionKind> = (e: Extract<Expression, { kind: K }>, ctx: Ctx) => Checked;

const handlers: { [K in ExpressionKind]: Handler<K> } = {
  NullLiteral: () => UNTYPED_NULL,
  BooleanLiteral: (e) => ({ kind: 'Literal', type: SqlTypes.BOOLEAN, value: e.value, ...pos(e) }),
  IntegerLiteral: (e) => {
    const v = integerLiteral(e.text);
    if (!v) fail(e, `Invalid numeric literal: ${e.text}`);
    return { kind: 'Literal', ...v, ...pos(e) };
  },
  DecimalLiteral: (e) => ({ kind: 'Literal', ...decimalLiteral(e.text), ...pos(e) }),
  DoubleLiteral: (e) => {
    const v = doubleLiteral(e.text);
    if (!v) fail(e, `Number overflows DOUBLE: ${e.text}`);
    return { kind: 'Literal', ...v, ...pos(e) };
  },
  StringLiteral: (e) => ({ kind: 'Literal', type: SqlTypes.STRING, value: e.value, ...pos(e) }),
  ColumnRef: (e, ctx) => {
    if (e.source === undefined) {
      for (let i = ctx.lambdas.length - 1; i >= 0; i--) {
        const p = ctx.lambdas[i]!.find((x) => x.name === e.name);
        if (p) return { kind: 'LambdaParam', type: p.type, name: p.name, ...pos(e) };
      }
    }
    const matches: number[] = [];
    ctx.scope.forEach((c, i) => {
      if (c.name === e.name && (e.source === undefined || c.source === e.source)) matches.push(i);
    });
    if (matches.length === 0) fail(e, `Column '${formatExpression(e)}' cannot be resolved.`);
    if (matches.length > 1) {
      const sources = matches.map((i) => ctx.scope[i]!.source).filter((s) => s !== undefined);
      const names = sources.map((s) => `${s}.${e.name}`);
      const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('');
      fail(e, `Column '${e.name}' is ambiguous. Could be ${list}.`);
    }
    const col = ctx.scope[matches[0]!]!;
    return {
      kind: 'Column',
      type: col.type,
      index: matches[0]!,
      name: col.name,
      ...(col.source !== undefined ? { source: col.source } : {}),
      ...pos(e),
    };
  },
  Dereference: (e, ctx) => {
    const base = requireTyped(check(e.base, ctx), e.base);
    if (base.type.kind !== 'STRUCT') fail(e, `Expected STRUCT type, got: ${formatSqlType(base.type)} in ${formatExpression(e)}`);
    const fields = base.type.fields;
    const field = fields.find((f) => f.name === e.field) ?? uniqueIgnoringCase(fields, e.field);
    if (!field) fail(e, `Could not find field '${e.field}' in '${formatExpression(e.base)}'.`);
    return { kind: 'Dereference', type: field.type, base, field: field.name, ...pos(e) };
  },
  Subscript: (e, ctx) => {
    const base = requireTyped(check(e.base, ctx), e.base);
    const index = check(e.index, ctx);
    const it = typeOf(index);
    if (base.type.kind === 'ARRAY') {
      if (it && it.kind !== 'INTEGER') fail(e.index, `Array index must be INTEGER, got ${formatSqlType(it)}: ${formatExpression(e)}`);
      return { kind: 'Subscript', type: base.type.element, base, index: coerceTo(index, SqlTypes.INTEGER), ...pos(e) };
    }
    if (base.type.kind === 'MAP') {
      const kt = base.type.key;
      if (it && !commonSuperType([it, kt])) fail(e.index, `Map key must be ${formatSqlType(kt)}, got ${formatSqlType(it)}: ${formatExpression(e)}`);
      return { kind: 'Subscript', type: base.type.value, base, index: coerceTo(index, kt), ...pos(e) };
    }
    fail(e, `Subscript expression not supported on type ${formatSqlType(base.type)}: ${formatExpression(e)}`);
  },
  FunctionCall: (e, ctx) => checkCall(e, ctx),
  IntervalUnit: (e) => fail(e, `A time unit (${e.unit}) is only allowed as a function argument`),
  Lambda: (e) => fail(e, `Lambda expressions are only allowed as function arguments: ${formatExpression(e)}`),
  Negate: (e, ctx) => {
    const o = e.operand;
    // a minus sign belongs to the literal: -2147483648 is an INTEGER
    if (o.kind === 'IntegerLiteral') return handlers.IntegerLiteral({ ...o, text: '-' + o.text, ...pos(e) }, ctx);
    if (o.kind === 'DecimalLiteral') return handlers.DecimalLiteral({ ...o, text: '-' + o.text, ...pos(e) }, ctx);
    if (o.kind === 'DoubleLiteral') return handlers.DoubleLiteral({ ...o, text: '-' + o.text, ...pos(e) }, ctx);
    const operand = requireTyped(check(o, ctx), o);
    if (!isNumericType(operand.type)) fail(e, `Unsupported type for negation: ${formatSqlType(operand.type)} in ${formatExpression(e)}`);
    return { kind: 'Negate', type: operand.type, operand, ...pos(e) };
  },
  Not: (e, ctx) => ({ kind: 'Not', type: SqlTypes.BOOLEAN, operand: booleanOperand(e.operand, ctx, e), ...pos(e) }),
  Arithmetic: (e, ctx) => {
    const l = check(e.left, ctx);
    const r = check(e.right, ctx);
    // ksqlDB rejects arithmetic with an untyped NULL (a CAST gives it a type)
    if (!typeOf(l) || !typeOf(r)) {
      const name = (t: SqlType | undefined) => (t ? formatSqlType(t) : 'null');
      fail(e, `Error processing expression: ${formatExpression(e)}. Arithmetic on types ${name(typeOf(l))} and ${name(typeOf(r))} are not supported.`);
    }
    const lt = typeOf(l)!;
    const rt = typeOf(r)!;
    if (e.op === '+' && lt.kind === 'STRING' && rt.kind === 'STRING') {
      return { kind: 'Concat', type: SqlTypes.STRING, left: coerceTo(l, lt), right: coerceTo(r, rt), ...pos(e) };
    }
    const result = numericArithmeticType(e.op, lt, rt);
    if (!result) fail(e, `Error processing expression: ${formatExpression(e)}. Unsupported arithmetic types. ${lt.kind} ${rt.kind}`);
    const opType = (t: SqlType) => (result.kind === 'DECIMAL' ? toDecimalType(t)! : result);
    return { kind: 'Arithmetic', type: result, op: e.op, left: coerceTo(l, opType(lt)), right: coerceTo(r, opType(rt)), ...pos(e) };
  },
  Concat: (e, ctx) => {
    const l = check(e.left, ctx);
    const r = check(e.right, ctx);
    const t = typeOf(l) ?? typeOf(r) ?? SqlTypes.STRING;
    if ((t.kind !== 'STRING' && t.kind !== 'BYTES') || !sqlTypeEquals(typeOf(l) ?? t, t) || !sqlTypeEquals(typeOf(r) ?? t, t)) {
      fail(e, `Unsupported types for concatenation: ${formatSqlType(typeOf(l) ?? t)} || ${formatSqlType(typeOf(r) ?? t)}`);
    }
    return { kind: 'Concat', type: t, left: coerceTo(l, t), right: coerceTo(r, t), ...pos(e) };
  },
  Comparison: (e, ctx) => {
    const l = check(e.left, ctx);
    const r = check(e.right, ctx);
    const [left, right] = comparable(e, e.left, e.right, l, r, e.op);
    return { kind: 'Comparison', type: SqlTypes.BOOLEAN, op: e.op, left, right, ...pos(e) };
  },
  DistinctFrom: (e, ctx) => {
    const l = check(e.left, ctx);
    const r = check(e.right, ctx);
    if (l.kind === 'UntypedNull' && r.kind === 'UntypedNull') return { kind: 'Literal', type: SqlTypes.BOOLEAN, value: e.not, ...pos(e) };
    const [left, right] = comparable(e, e.left, e.right, l, r, '=');
    return { kind: 'DistinctFrom', type: SqlTypes.BOOLEAN, not: e.not, left, right, ...pos(e) };
  },
  Logical: (e, ctx) => ({
    kind: 'Logical',
    type: SqlTypes.BOOLEAN,
    op: e.op,
    left: booleanOperand(e.left, ctx, e),
    right: booleanOperand(e.right, ctx, e),
    ...pos(e),
  }),
  IsNull: (e, ctx) => {
    const c = check(e.operand, ctx);
    if (c.kind === 'UntypedNull') return { kind: 'Literal', type: SqlTypes.BOOLEAN, value: !e.not, ...pos(e) };
    return { kind: 'IsNull', type: SqlTypes.BOOLEAN, not: e.not, operand: c, ...pos(e) };
  },
  Like: (e, ctx) => {
    const operand = stringOperand(e.operand, ctx, e);
    const pattern = stringOperand(e.pattern, ctx, e);
    if (e.escape !== undefined && [...e.escape].length !== 1) fail(e, `LIKE escape must be a single character, got '${e.escape}'`);
    return { kind: 'Like', type: SqlTypes.BOOLEAN, not: e.not, operand, pattern, ...(e.escape !== undefined ? { escape: e.escape } : {}), ...pos(e) };
  },
  Between: (e, ctx) => {
    const cs = [check(e.operand, ctx), check(e.low, ctx), check(e.high, ctx)];
    const exprs = [e.operand, e.low, e.high];
    let t: SqlType | undefined;
    for (let i = 0; i < 3; i++) {
      const ti = typeOf(cs[i]!);
      if (!ti) continue;
      const next: SqlType | undefined = t ? comparisonType(t, ti, true) : ti;
      if (!next) fail(e, `Cannot compare ${formatExpression(e.operand)} (${formatSqlType(t!)}) to ${formatExpression(exprs[i]!)} (${formatSqlType(ti)}) in BETWEEN`);
      t = next;
    }
    if (!t) fail(e, CANNOT_INFER_NULL);
    if (t.kind === 'ARRAY' || t.kind === 'MAP' || t.kind === 'STRUCT') fail(e, `BETWEEN is not supported on ${formatSqlType(t)}: ${formatExpression(e)}`);
    return {
      kind: 'Between',
      type: SqlTypes.BOOLEAN,
      not: e.not,
      operand: coerceTo(cs[0]!, t),
      low: coerceTo(cs[1]!, t),
      high: coerceTo(cs[2]!, t),
      ...pos(e),
    };
  },
  InList: (e, ctx) => {
    // ksqlDB types IN as BOOLEAN while analysing and coerces the items only when generating code;
    // NULL items never match and take no part in the coercion
    const operand = check(e.operand, ctx);
    const items = e.list.filter((x) => x.kind !== 'NullLiteral');
    items.forEach((x) => check(x, ctx));
    let coerced: UserListResult;
    try {
      coerced = coerceUserList([e.operand, ...items], ctx);
    } catch (err) {
      if (err instanceof TypeCheckError && !(err instanceof CodegenError)) throw new CodegenError(err.message, err.position, err.expression);
      throw err;
    }
    const type = coerced.type;
    if (!type || operand.kind === 'UntypedNull') {
      // NULL IN (...) never matches
      return { kind: 'Literal', type: SqlTypes.BOOLEAN, value: e.not, ...pos(e) };
    }
    const [value, ...list] = coerced.items;
    return { kind: 'InList', type: SqlTypes.BOOLEAN, not: e.not, operand: value!, list, ...pos(e) };
  },
  SearchedCase: (e, ctx) => {
    const whens = e.whens.map((w) => booleanOperand(w.when, ctx, e));
    const { items, type } = caseResults(e, [...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])], ctx);
    return {
      kind: 'Case',
      type,
      whens: whens.map((when, i) => ({ when, then: items[i]! })),
      ...(e.else ? { else: items[items.length - 1]! } : {}),
      ...pos(e),
    };
  },
  SimpleCase: (e, ctx) => {
    const keys = [e.operand, ...e.whens.map((w) => w.when)];
    const mismatch = (target: SqlType, x: Expression, t: SqlType): never =>
      fail(x, `Operand of CASE (${formatSqlType(target)}) cannot be compared with WHEN value ${formatExpression(x)} (${formatSqlType(t)})`);
    const k = unify(keys, keys.map((x) => check(x, ctx)), ctx, mismatch);
    if (!k.type) fail(e, CANNOT_INFER_NULL);
    const { items, type } = caseResults(e, [...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])], ctx);
    return {
      kind: 'SimpleCase',
      type,
      operand: k.items[0]!,
      whens: e.whens.map((_, i) => ({ when: k.items[i + 1]!, then: items[i]! })),
      ...(e.else ? { else: items[items.length - 1]! } : {}),
      ...pos(e),
    };
  },
  Cast: (e, ctx) => {
    let to: SqlType;
    try {
      to = resolveTypeNode(e.type, ctx.options);
    } catch (err) {
      if (err instanceof TypeCheckError) fail(e, err.message);
      throw err;
    }
    const c = check(e.operand, ctx);
    if (c.kind === 'UntypedNull') return { kind: 'Literal', type: to, value: null, ...pos(e) };
    if (!isCastSupported(c.type, to)) failCodegen(e, `Cast of ${formatSqlType(c.type)} to ${formatSqlType(to)} is not supported`);
    if (sqlTypeEquals(c.type, to)) return c;
    if (c.kind === 'Literal') {
      try {
        return { kind: 'Literal', type: to, value: castValue(c.value, c.type, to), ...pos(e) };
      } catch {
        // bad literal casts fail per record, like any other cast
      }
    }
    return { kind: 'Cast', type: to, operand: c, ...pos(e) };
  },
  ArrayConstructor: (e, ctx) => {
    if (e.elements.length === 0) {
      fail(e, 'Array constructor cannot be empty. Please supply at least one element (see https://github.com/confluentinc/ksql/issues/4239).');
    }
    const { items, type } = coerceUserList(e.elements, ctx);
    if (!type) {
      fail(
        e,
        'Cannot construct an array with all NULL elements (see https://github.com/confluentinc/ksql/issues/4239). ' +
          'As a workaround, you may cast a NULL value to the desired type.',
      );
    }
    return { kind: 'Array', type: SqlTypes.array(type), elements: items, ...pos(e) };
  },
  MapConstructor: (e, ctx) => {
    if (e.entries.length === 0) {
      fail(e, 'Map constructor cannot be empty. Please supply at least one key value pair (see https://github.com/confluentinc/ksql/issues/4239).');
    }
    const keys = coerceUserList(e.entries.map((x) => x.key), ctx);
    if (!keys.type) {
      fail(
        e,
        'Cannot construct a map with all NULL keys (see https://github.com/confluentinc/ksql/issues/4239). ' +
          'As a workaround, you may cast a NULL key to the desired type.',
      );
    }
    const values = coerceUserList(e.entries.map((x) => x.value), ctx);
    if (!values.type) {
      fail(
        e,
        'Cannot construct a map with all NULL values (see https://github.com/confluentinc/ksql/issues/4239). ' +
          'As a workaround, you may cast a NULL value to the desired type.',
      );
    }
    return {
      kind: 'Map',
      type: SqlTypes.map(keys.type, values.type),
      entries: keys.items.map((key, i) => ({ key, value: values.items[i]! })),
      ...pos(e),
    };
  },
  StructConstructor: (e, ctx) => {
    const names = new Set<string>();
    const duplicates = new Set<string>();
    for (const f of e.fields) (names.has(f.name) ? duplicates : names).add(f.name);
    if (duplicates.size > 0) fail(e, `Duplicate field names found in STRUCT: ${[...duplicates].join(', ')}`);
    const fields = e.fields.map((f) => ({ name: f.name, value: requireTyped(check(f.value, ctx), f.value) }));
    return { kind: 'Struct', type: SqlTypes.struct(fields.map((f) => ({ name: f.name, type: f.value.type }))), fields, ...pos(e) };
  },
};

function pos(e: Expression): { pos?: NonNullable<Expression['pos']> } {
  return e.pos ? { pos: e.pos } : {};
}

function uniqueIgnoringCase<F extends { name: string }>(fields: readonly F[], name: string): F | undefined {
  const m = fields.filter((f) => f.name.toUpperCase() === name.toUpperCase());
  return m.length === 1 ? m[0] : undefined;
}

function booleanOperand(x: Expression, ctx: Ctx, parent: Expression): TypedExpression {
  const c = check(x, ctx);
  const t = typeOf(c);
  if (t && t.kind !== 'BOOLEAN') fail(x, `Type error in ${formatExpression(parent)}: ${formatExpression(x)} should evaluate to BOOLEAN but is ${formatSqlType(t)}`);
  return coerceTo(c, SqlTypes.BOOLEAN);
}

function stringOperand(x: Expression, ctx: Ctx, parent: Expression): TypedExpression {
  const c = check(x, ctx);
  const t = typeOf(c);
  if (t && t.kind !== 'STRING') fail(x, `Type error in ${formatExpression(parent)}: ${formatExpression(x)} should be STRING but is ${formatSqlType(t)}`);
  return coerceTo(c, SqlTypes.STRING);
}

function comparable(
  e: Expression,
  le: Expression,
  re: Expression,
  l: Checked,
  r: Checked,
  op: ComparisonOperator,
): [TypedExpression, TypedExpression] {
  const lt = typeOf(l);
  const rt = typeOf(r);
  if (!lt && !rt) fail(e, `Comparison with NULL not supported: NULL ${op} NULL`);
  const t = lt && rt ? comparisonType(lt, rt, op !== '=' && op !== '<>') : (lt ?? rt)!;
  if (!t) fail(e, `Cannot compare ${formatExpression(le)} (${formatSqlType(lt!)}) to ${formatExpression(re)} (${formatSqlType(rt!)}) with ${OP_NAMES[op]}.`);
  return [coerceTo(l, t), coerceTo(r, t)];
}

function caseResults(e: Expression, results: readonly Expression[], ctx: Ctx): { items: TypedExpression[]; type: SqlType } {
  const mismatch = (target: SqlType, x: Expression, t: SqlType): never =>
    fail(
      x,
      `Invalid Case expression. Type for all 'THEN' clauses should be the same.\nTHEN expression '${formatExpression(x)}' has type: ${formatSqlType(t)}. Previous THEN expression(s) type: ${formatSqlType(target)}.`,
    );
  const u = unify(results, results.map((x) => check(x, ctx)), ctx, mismatch);
  if (!u.type) fail(e, `Invalid Case expression: ${CANNOT_INFER_NULL}`);
  return { items: u.items, type: u.type };
}

function checkCall(e: Extract<Expression, { kind: 'FunctionCall' }>, ctx: Ctx): Checked {
  const kind = ctx.registry.kindOf(e.name);
  if (kind === 'AGGREGATE') {
    if (!ctx.options.typeAggregateCalls) fail(e, `Aggregate function ${e.name} is not allowed here: ${formatExpression(e)}`);
    const shapes: ArgShape[] = e.args.map((a) => {
      const c = check(a, ctx);
      return c.kind === 'UntypedNull' ? { kind: 'null' } : { kind: 'type', type: c.type };
    });
    let returnType: SqlType;
    try {
      returnType = ctx.registry.resolveAggregate(e.name, shapes).returnType;
    } catch (err) {
      if (err instanceof TypeCheckError && !err.position) fail(e, err.message);
      throw err;
    }
    return { kind: 'Literal', type: returnType, value: null, ...pos(e) };
  }
  if (kind === 'TABLE') fail(e, `Table function ${e.name} is not allowed here: ${formatExpression(e)}`);
  if (!kind) fail(e, `Can't find any functions with the name '${e.name}'`);
  if (e.distinct) fail(e, `DISTINCT is only allowed in aggregate function calls: ${formatExpression(e)}`);
  // F(*) is F() with no arguments, as in ksqlDB's parser
  const lambdaCache = e.args.map(() => new Map<string, TypedLambda>());
  const checked: (Checked | undefined)[] = [];
  const shapes: ArgShape[] = e.args.map((a, i) => {
    if (a.kind === 'Lambda') {
      checked.push(undefined);
      return {
        kind: 'lambda',
        arity: a.params.length,
        typeBody: (paramTypes: readonly SqlType[]) => {
          const key = paramTypes.map(formatSqlType).join(',');
          let typed = lambdaCache[i]!.get(key);
          if (!typed) {
            const params = a.params.map((name, j) => ({ name, type: paramTypes[j]! }));
            const body = requireTyped(check(a.body, { ...ctx, lambdas: [...ctx.lambdas, params] }), a.body);
            typed = { kind: 'Lambda', type: body.type, params, body, ...pos(a) };
            lambdaCache[i]!.set(key, typed);
          }
          return typed.type;
        },
      };
    }
    if (a.kind === 'IntervalUnit') {
      checked.push(undefined);
      return { kind: 'intervalUnit' };
    }
    const c = check(a, ctx);
    checked.push(c);
    return c.kind === 'UntypedNull' ? { kind: 'null' } : { kind: 'type', type: c.type };
  });
  let res;
  try {
    res = ctx.registry.resolveScalar(e.name, shapes);
  } catch (err) {
    if (err instanceof TypeCheckError && !err.position) fail(e, err.message);
    throw err;
  }
  const args: TypedExpression[] = e.args.map((a, i) => {
    if (a.kind === 'Lambda') {
      const key = res.lambdaParamTypes[i]!.map(formatSqlType).join(',');
      const lam = lambdaCache[i]!.get(key)!;
      const want = res.argTypes[i]!;
      return sqlTypeEquals(lam.type, want) ? lam : { ...lam, type: want, body: coerceTo(lam.body, want) };
    }
    if (a.kind === 'IntervalUnit') return { kind: 'IntervalUnit', type: SqlTypes.STRING, unit: a.unit, ...pos(a) };
    return coerceTo(checked[i]!, res.argTypes[i]!);
  });
  return {
    kind: 'Call',
    type: res.returnType,
    name: e.name,
    args,
    argTypes: res.argTypes,
    overload: res.overload,
    text: formatExpression(e),
    ...pos(e),
  };
}

function check(e: Expression, ctx: Ctx): Checked {
  return (handlers[e.kind] as (x: Expression, c: Ctx) => Checked)(e, ctx);
}
