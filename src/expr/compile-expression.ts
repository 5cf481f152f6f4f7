/**
 * Compiles a typed expression into a closure tree `(row) => value`. Each node becomes one closure
 * specialised at compile time for its operand types, so evaluation does no type dispatch and no
 * allocation beyond the values it produces. A failure on one record (bad cast, division by zero,
 * a throwing function) never escapes: function calls yield NULL on their own, anything else makes
 * the whole expression NULL, and both report through `onError`.
 */
import type { Decimal } from 'decimal.js';
import type { SqlType, SqlStruct } from '../common/sql-types.js';
import { ExecutionError } from '../common/errors.js';
import type { TypedExpression, TypedKind } from './typed-expression.js';
import { castConverter } from './cast-value.js';
import { compareValues, valuesEqual } from './value-compare.js';
import { decimalAdd, decimalDiv, decimalMod, decimalMul, decimalSub, fitDecimal } from './decimal-math.js';
import { likeToRegExp } from './like-pattern.js';

export type Row = readonly unknown[];
export type CompiledExpression = (row: Row) => unknown;
export type ErrorHandler = (error: Error, expression: string) => void;

export interface CompileOptions {
  /** called once per failed evaluation (the engine writes it to the processing log) */
  readonly onError?: ErrorHandler;
  /** the expression's text for error reports (see `formatExpression`) */
  readonly text?: string;
}

type Fn = (row: Row) => unknown;

interface Slot {
  v: unknown;
}

interface Ctx {
  readonly report: (e: unknown, text: string) => void;
  readonly slots: readonly ReadonlyMap<string, Slot>[];
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function noop(): void {}

export function compileExpression(typed: TypedExpression, options: CompileOptions = {}): CompiledExpression {
  const text = options.text ?? 'expression';
  const onError = options.onError ?? noop;
  const report = (e: unknown, t: string) => onError(toError(e), t);
  const body = compile(typed, { report, slots: [] });
  return (row) => {
    try {
      const v = body(row);
      return v === undefined ? null : v;
    } catch (e) {
      report(e, text);
      return null;
    }
  };
}

/** A WHERE / HAVING / ON condition: NULL and failures count as false. */
export function compilePredicate(typed: TypedExpression, options: CompileOptions = {}): (row: Row) => boolean {
  if (typed.type.kind !== 'BOOLEAN') throw new ExecutionError(`A predicate must be BOOLEAN, got ${typed.type.kind}`);
  const text = options.text ?? 'expression';
  const onError = options.onError ?? noop;
  const report = (e: unknown, t: string) => onError(toError(e), t);
  const body = compile(typed, { report, slots: [] });
  return (row) => {
    try {
      return body(row) === true;
    } catch (e) {
      report(e, text);
      return false;
    }
  };
}

function divByZero(): never {
  throw new ExecutionError('/ by zero');
}

const PRIMITIVE_ORDER = new Set(['INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'DATE', 'TIME', 'TIMESTAMP']);

/** equality of two non-null values of type t */
function equalsFor(t: SqlType): (a: unknown, b: unknown) => boolean {
  if (PRIMITIVE_ORDER.has(t.kind) || t.kind === 'BOOLEAN') return (a, b) => a === b;
  if (t.kind === 'DECIMAL') return (a, b) => (a as Decimal).eq(b as Decimal);
  return (a, b) => valuesEqual(a, b, t);
}

type Compiler<K extends TypedKind> = (e: Extract<TypedExpression, { kind: K }>, ctx: Ctx) => Fn;

const compilers: { [K in TypedKind]: Compiler<K> } = {
  Literal: (e) => {
    const v = e.value;
    return () => v;
  },
  Column: (e) => {
    const i = e.index;
    return (row) => row[i];
  },
  LambdaParam: (e, ctx) => {
    for (let i = ctx.slots.length - 1; i >= 0; i--) {
      const s = ctx.slots[i]!.get(e.name);
      if (s) return () => s.v;
    }
    throw new ExecutionError(`Unbound lambda parameter ${e.name}`);
  },
  Dereference: (e, ctx) => {
    const base = compile(e.base, ctx);
    const f = e.field;
    return (row) => {
      const s = base(row) as SqlStruct | null;
      if (s === null || s === undefined) return null;
      const v = s[f];
      return v === undefined ? null : v;
    };
  },
  Subscript: (e, ctx) => {
    const base = compile(e.base, ctx);
    const index = compile(e.index, ctx);
    if (e.base.type.kind === 'ARRAY') {
      return (row) => {
        const a = base(row) as unknown[] | null;
        if (a === null) return null;
        const i = index(row) as number | null;
        if (i === null) return null;
        const j = i > 0 ? i - 1 : a.length + i;
        if (i === 0 || j < 0 || j >= a.length) return null;
        const v = a[j];
        return v === undefined ? null : v;
      };
    }
    const keyType = e.index.type;
    const eq = equalsFor(keyType);
    return (row) => {
      const m = base(row) as Map<unknown, unknown> | null;
      if (m === null) return null;
      const k = index(row);
      const v = m.get(k);
      if (v !== undefined) return v;
      if (typeof k === 'object' && k !== null) for (const [key, x] of m) if (key !== null && eq(key, k)) return x;
      return null;
    };
  },
  Call: (e, ctx) => {
    const impl = e.overload.bind({ argTypes: e.argTypes, returnType: e.type });
    const args = e.args.map((a) => compile(a, ctx));
    const { report } = ctx;
    const text = e.text;
    const wrap = (v: unknown) => (v === undefined ? null : v);
    switch (args.length) {
      case 0:
        return () => {
          try {
            return wrap(impl());
          } catch (err) {
            report(err, text);
            return null;
          }
        };
      case 1: {
        const [a0] = args as [Fn];
        return (row) => {
          const x0 = a0(row);
          try {
            return wrap(impl(x0));
          } catch (err) {
            report(err, text);
            return null;
          }
        };
      }
      case 2: {
        const [a0, a1] = args as [Fn, Fn];
        return (row) => {
          const x0 = a0(row);
          const x1 = a1(row);
          try {
            return wrap(impl(x0, x1));
          } catch (err) {
            report(err, text);
            return null;
          }
        };
      }
      case 3: {
        const [a0, a1, a2] = args as [Fn, Fn, Fn];
        return (row) => {
          const x0 = a0(row);
          const x1 = a1(row);
          const x2 = a2(row);
          try {
            return wrap(impl(x0, x1, x2));
          } catch (err) {
            report(err, text);
            return null;
          }
        };
      }
      default: {
        const n = args.length;
        return (row) => {
          const xs = new Array<unknown>(n);
          for (let i = 0; i < n; i++) xs[i] = args[i]!(row);
          try {
            return wrap(impl(...xs));
          } catch (err) {
            report(err, text);
            return null;
          }
        };
      }
    }
  },
  Lambda: (e, ctx) => {
    const slots = e.params.map(() => ({ v: null as unknown }));
    const map = new Map<string, Slot>(e.params.map((p, i) => [p.name, slots[i]!]));
    const body = compile(e.body, { ...ctx, slots: [...ctx.slots, map] });
    let current: Row = [];
    // one JS function per compiled lambda: the row it sees is set before each use
    const n = slots.length;
    const fn = (...args: unknown[]) => {
      const saved = slots.map((s) => s.v);
      for (let i = 0; i < n; i++) slots[i]!.v = args[i] === undefined ? null : args[i];
      try {
        const v = body(current);
        return v === undefined ? null : v;
      } finally {
        for (let i = 0; i < n; i++) slots[i]!.v = saved[i];
      }
    };
    return (row) => {
      current = row;
      return fn;
    };
  },
  IntervalUnit: (e) => {
    const u = e.unit;
    return () => u;
  },
  Negate: (e, ctx) => {
    const o = compile(e.operand, ctx);
    switch (e.type.kind) {
      case 'INTEGER':
        return (row) => {
          const v = o(row) as number | null;
          return v === null ? null : -v | 0;
        };
      case 'BIGINT':
        return (row) => {
          const v = o(row) as bigint | null;
          return v === null ? null : BigInt.asIntN(64, -v);
        };
      case 'DECIMAL':
        return (row) => {
          const v = o(row) as Decimal | null;
          return v === null ? null : v.neg();
        };
      default:
        return (row) => {
          const v = o(row) as number | null;
          return v === null ? null : -v;
        };
    }
  },
  Not: (e, ctx) => {
    const o = compile(e.operand, ctx);
    return (row) => {
      const v = o(row);
      return v === null ? null : !v;
    };
  },
  Arithmetic: (e, ctx) => arithmetic(e.op, e.type, compile(e.left, ctx), compile(e.right, ctx), ctx.slots.length > 0),
  Concat: (e, ctx) => {
    const l = compile(e.left, ctx);
    const r = compile(e.right, ctx);
    if (e.type.kind === 'BYTES') {
      return (row) => {
        const a = l(row) as Buffer | null;
        if (a === null) return null;
        const b = r(row) as Buffer | null;
        return b === null ? null : Buffer.concat([a, b]);
      };
    }
    return (row) => {
      const a = l(row) as string | null;
      if (a === null) return null;
      const b = r(row) as string | null;
      return b === null ? null : a + b;
    };
  },
  Comparison: (e, ctx) => comparison(e.op, e.left, e.right, ctx),
  DistinctFrom: (e, ctx) => {
    const l = compile(e.left, ctx);
    const r = compile(e.right, ctx);
    const eq = equalsFor(e.left.type);
    const not = e.not;
    return (row) => {
      const a = l(row);
      const b = r(row);
      const same = a === null || b === null ? a === b : eq(a, b);
      return not ? same : !same;
    };
  },
  Logical: (e, ctx) => {
    const l = compile(e.left, ctx);
    const r = compile(e.right, ctx);
    if (e.op === 'AND') {
      return (row) => {
        const a = l(row);
        if (a === false) return false;
        const b = r(row);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    return (row) => {
      const a = l(row);
      if (a === true) return true;
      const b = r(row);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    };
  },
  IsNull: (e, ctx) => {
    const o = compile(e.operand, ctx);
    return e.not ? (row) => o(row) !== null : (row) => o(row) === null;
  },
  Like: (e, ctx) => {
    const o = compile(e.operand, ctx);
    const not = e.not;
    const escape = e.escape;
    if (e.pattern.kind === 'Literal') {
      if (e.pattern.value === null) return () => null;
      const re = likeToRegExp(e.pattern.value as string, escape);
      return (row) => {
        const s = o(row) as string | null;
        return s === null ? null : re.test(s) !== not;
      };
    }
    const p = compile(e.pattern, ctx);
    let lastPattern: string | undefined;
    let lastRe = /$^/;
    return (row) => {
      const s = o(row) as string | null;
      if (s === null) return null;
      const pat = p(row) as string | null;
      if (pat === null) return null;
      if (pat !== lastPattern) {
        lastRe = likeToRegExp(pat, escape);
        lastPattern = pat;
      }
      return lastRe.test(s) !== not;
    };
  },
  Between: (e, ctx) => {
    const o = compile(e.operand, ctx);
    const lo = compile(e.low, ctx);
    const hi = compile(e.high, ctx);
    const t = e.operand.type;
    const not = e.not;
    const cmp = PRIMITIVE_ORDER.has(t.kind) ? undefined : (a: unknown, b: unknown) => compareValues(a, b, t);
    // ksqlDB: (v >= low AND v <= high), each comparison false when a side is NULL; NOT negates
    return (row) => {
      const v = o(row);
      if (v === null) return not;
      const a = lo(row);
      const b = hi(row);
      if (a === null || b === null) return not;
      const inside = cmp ? cmp(v, a) >= 0 && cmp(v, b) <= 0 : (v as number) >= (a as number) && (v as number) <= (b as number);
      return inside !== not;
    };
  },
  InList: (e, ctx) => {
    const o = compile(e.operand, ctx);
    const not = e.not;
    const t = e.operand.type;
    const allLiteral = e.list.every((x) => x.kind === 'Literal');
    if (allLiteral && (PRIMITIVE_ORDER.has(t.kind) || t.kind === 'BOOLEAN')) {
      const values = e.list.map((x) => (x as { value: unknown }).value);
      const set = new Set(values.filter((v) => v !== null));
      return (row) => {
        const v = o(row);
        if (v === null) return not;
        return set.has(v) !== not;
      };
    }
    const items = e.list.map((x) => compile(x, ctx));
    const eq = equalsFor(t);
    // ksqlDB's InListEvaluator: NULL never matches (so IN is false, NOT IN true)
    return (row) => {
      const v = o(row);
      if (v === null) return not;
      for (let i = 0; i < items.length; i++) {
        const x = items[i]!(row);
        if (x !== null && eq(v, x)) return !not;
      }
      return not;
    };
  },
  Case: (e, ctx) => {
    const whens = e.whens.map((w) => compile(w.when, ctx));
    const thens = e.whens.map((w) => compile(w.then, ctx));
    const otherwise = e.else ? compile(e.else, ctx) : () => null;
    const n = whens.length;
    return (row) => {
      for (let i = 0; i < n; i++) if (whens[i]!(row) === true) return thens[i]!(row);
      return otherwise(row);
    };
  },
  SimpleCase: (e, ctx) => {
    const o = compile(e.operand, ctx);
    const whens = e.whens.map((w) => compile(w.when, ctx));
    const thens = e.whens.map((w) => compile(w.then, ctx));
    const otherwise = e.else ? compile(e.else, ctx) : () => null;
    const eq = equalsFor(e.operand.type);
    const n = whens.length;
    return (row) => {
      const v = o(row);
      if (v !== null) {
        for (let i = 0; i < n; i++) {
          const w = whens[i]!(row);
          if (w !== null && eq(v, w)) return thens[i]!(row);
        }
      }
      return otherwise(row);
    };
  },
  Cast: (e, ctx) => {
    const o = compile(e.operand, ctx);
    const conv = castConverter(e.operand.type, e.type);
    return (row) => {
      const v = o(row);
      return v === null ? null : conv(v);
    };
  },
  Array: (e, ctx) => {
    const items = e.elements.map((x) => compile(x, ctx));
    const n = items.length;
    return (row) => {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = items[i]!(row);
      return out;
    };
  },
  Map: (e, ctx) => {
    const keys = e.entries.map((x) => compile(x.key, ctx));
    const values = e.entries.map((x) => compile(x.value, ctx));
    return (row) => {
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < keys.length; i++) m.set(keys[i]!(row), values[i]!(row));
      return m;
    };
  },
  Struct: (e, ctx) => {
    const names = e.fields.map((f) => f.name);
    const values = e.fields.map((f) => compile(f.value, ctx));
    return (row) => {
      const s: SqlStruct = {};
      for (let i = 0; i < names.length; i++) s[names[i]!] = values[i]!(row);
      return s;
    };
  },
};

const NUMERIC_KINDS = new Set(['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL']);

/**
 * `inLambda`: ksqlDB's lambda bodies work on unboxed numbers, so arithmetic on a NULL there fails
 * the whole call (FILTER, TRANSFORM, REDUCE ...) rather than giving NULL for one element
 */
function arithmetic(op: string, type: SqlType, l: Fn, r: Fn, inLambda = false): Fn {
  const strict = inLambda && NUMERIC_KINDS.has(type.kind);
  const nullOperand = (): never => {
    throw new ExecutionError(`NULL operand of ${op} in a lambda function`);
  };
  const bin = (f: (a: any, b: any) => unknown): Fn =>
    strict
      ? (row) => {
          const a = l(row);
          const b = r(row);
          return a === null || b === null ? nullOperand() : f(a, b);
        }
      : (row) => {
          const a = l(row);
          if (a === null) return null;
          const b = r(row);
          return b === null ? null : f(a, b);
        };
  switch (type.kind) {
    case 'INTEGER':
      switch (op) {
        case '+':
          return bin((a: number, b: number) => (a + b) | 0);
        case '-':
          return bin((a: number, b: number) => (a - b) | 0);
        case '*':
          return bin(Math.imul);
        case '/':
          return bin((a: number, b: number) => (b === 0 ? divByZero() : (a / b) | 0));
        default:
          return bin((a: number, b: number) => (b === 0 ? divByZero() : (a % b) | 0));
      }
    case 'BIGINT':
      switch (op) {
        case '+':
          return bin((a: bigint, b: bigint) => BigInt.asIntN(64, a + b));
        case '-':
          return bin((a: bigint, b: bigint) => BigInt.asIntN(64, a - b));
        case '*':
          return bin((a: bigint, b: bigint) => BigInt.asIntN(64, a * b));
        case '/':
          return bin((a: bigint, b: bigint) => (b === 0n ? divByZero() : BigInt.asIntN(64, a / b)));
        default:
          return bin((a: bigint, b: bigint) => (b === 0n ? divByZero() : a % b));
      }
    case 'DECIMAL': {
      const f = { '+': decimalAdd, '-': decimalSub, '*': decimalMul, '/': decimalDiv, '%': decimalMod }[op as '+']!;
      return bin((a: Decimal, b: Decimal) => fitDecimal(f(a, b), type));
    }
    default:
      switch (op) {
        case '+':
          return bin((a: number, b: number) => a + b);
        case '-':
          return bin((a: number, b: number) => a - b);
        case '*':
          return bin((a: number, b: number) => a * b);
        case '/':
          return bin((a: number, b: number) => a / b);
        default:
          return bin((a: number, b: number) => a % b);
      }
  }
}

type Test = (a: any, b: any) => boolean;

const PRIMITIVE_TESTS: Record<string, Test> = {
  '=': (a, b) => a === b,
  '<>': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function testFor(op: string, t: SqlType): Test {
  if (PRIMITIVE_ORDER.has(t.kind)) return PRIMITIVE_TESTS[op]!;
  if (op === '=') return equalsFor(t);
  if (op === '<>') {
    const eq = equalsFor(t);
    return (a, b) => !eq(a, b);
  }
  const c = (a: unknown, b: unknown) => compareValues(a, b, t);
  switch (op) {
    case '<':
      return (a, b) => c(a, b) < 0;
    case '<=':
      return (a, b) => c(a, b) <= 0;
    case '>':
      return (a, b) => c(a, b) > 0;
    default:
      return (a, b) => c(a, b) >= 0;
  }
}

function comparison(op: string, left: TypedExpression, right: TypedExpression, ctx: Ctx): Fn {
  const t = left.type;
  // the common filter shape `column op literal` on primitives: one closure, no calls
  if (left.kind === 'Column' && right.kind === 'Literal' && right.value !== null && PRIMITIVE_ORDER.has(t.kind)) {
    const i = left.index;
    const c = right.value as number;
    switch (op) {
      case '=':
        return (row) => {
          const a = row[i];
          return a === null ? false : a === c;
        };
      case '<>':
        return (row) => {
          const a = row[i];
          return a === null ? false : a !== c;
        };
      case '<':
        return (row) => {
          const a = row[i] as number | null;
          return a === null ? false : a < c;
        };
      case '<=':
        return (row) => {
          const a = row[i] as number | null;
          return a === null ? false : a <= c;
        };
      case '>':
        return (row) => {
          const a = row[i] as number | null;
          return a === null ? false : a > c;
        };
      default:
        return (row) => {
          const a = row[i] as number | null;
          return a === null ? false : a >= c;
        };
    }
  }
  const remainder = remainderTest(op, left, right);
  if (remainder) return remainder;
  const l = compile(left, ctx);
  const r = compile(right, ctx);
  const test = testFor(op, t);
  return (row) => {
    const a = l(row);
    if (a === null) return false;
    const b = r(row);
    return b === null ? false : test(a, b);
  };
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `column % m = c` on BIGINT with literals (a filter sampling ids, as Nexmark's q2): one closure,
 * and no BigInt per row while the column holds a safe integer (a remainder of safe integers is
 * exact in doubles, with the dividend's sign as BigInt's). undefined: not that shape.
 */
function remainderTest(op: string, left: TypedExpression, right: TypedExpression): Fn | undefined {
  if (op !== '=' || left.kind !== 'Arithmetic' || left.op !== '%' || left.type.kind !== 'BIGINT') return undefined;
  const { left: dividend, right: divisor } = left;
  if (dividend.kind !== 'Column' || divisor.kind !== 'Literal' || right.kind !== 'Literal') return undefined;
  const m = divisor.value;
  const c = right.value;
  // (a zero divisor reports its error through the general path)
  if (typeof m !== 'bigint' || typeof c !== 'bigint' || m === 0n || m < MIN_SAFE || m > MAX_SAFE || c < MIN_SAFE || c > MAX_SAFE) return undefined;
  const i = dividend.index;
  const mn = Number(m);
  const cn = Number(c);
  return (row) => {
    const a = row[i] as bigint | null;
    if (a === null) return false;
    if (a >= MIN_SAFE && a <= MAX_SAFE) return Number(a) % mn === cn;
    return a % m === c;
  };
}

function compile(e: TypedExpression, ctx: Ctx): Fn {
  return (compilers[e.kind] as (x: TypedExpression, c: Ctx) => Fn)(e, ctx);
}
