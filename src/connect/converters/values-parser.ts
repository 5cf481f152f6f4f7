/**
 * org.apache.kafka.connect.data.Values.parseString: the typed reading of header text and of
 * InsertHeader's literal. Ported token for token, quirks included (a top-level "12,13" is the
 * INT8 12; an array holding null is read as a string; "1.5" is a FLOAT32).
 */
import { DataError, LogicalTypeNames, Schemas, type Schema, type SchemaAndValue } from '../api/index.js';
import { parseDecimalText, decimalToJavaString } from '../../serde/java-number-text.js';

const isBlank = (s: string | null): boolean => s === null || s.trim().length === 0;

/** Values.Parser: tokens split at unescaped : , { } [ ] " */
class Parser {
  private index = 0;
  private nextToken: string | null = null;
  private previousToken: string | null = null;

  constructor(readonly original: string) {}

  position(): number {
    return this.index;
  }

  mark(): number {
    return this.index - (this.nextToken !== null ? this.nextToken.length : 0);
  }

  rewindTo(position: number): void {
    this.index = position;
    this.nextToken = null;
    this.previousToken = null;
  }

  hasNext(): boolean {
    return this.nextToken !== null || this.canConsumeNextToken();
  }

  private canConsumeNextToken(): boolean {
    return this.original.length > this.index;
  }

  next(): string {
    if (this.nextToken !== null) {
      this.previousToken = this.nextToken;
      this.nextToken = null;
    } else this.previousToken = this.consumeNextToken();
    return this.previousToken;
  }

  nextN(n: number): string | null {
    const current = this.mark();
    const start = this.mark();
    for (let i = 0; i !== n; i++) {
      if (!this.hasNext()) {
        this.rewindTo(start);
        return null;
      }
      this.next();
    }
    return this.original.substring(current, this.position());
  }

  private consumeNextToken(): string {
    let escaped = false;
    const start = this.index;
    const s = this.original;
    while (this.canConsumeNextToken()) {
      const c = s[this.index]!;
      switch (c) {
        case '\\':
          escaped = !escaped;
          break;
        case ':':
        case ',':
        case '{':
        case '}':
        case '[':
        case ']':
        case '"':
          if (!escaped) {
            if (start < this.index) return s.substring(start, this.index);
            this.index++;
            return s.substring(start, start + 1);
          }
          escaped = false;
          break;
        default:
          escaped = false;
          break;
      }
      this.index++;
    }
    return s.substring(start, this.index);
  }

  previous(): string | null {
    return this.previousToken;
  }

  canConsume(expected: string): boolean {
    if (this.isNext(expected)) {
      this.nextToken = null;
      return true;
    }
    return false;
  }

  private isNext(expected: string): boolean {
    if (this.nextToken === null) {
      if (!this.hasNext()) return false;
      this.nextToken = this.consumeNextToken();
    }
    while (isBlank(this.nextToken) && this.canConsumeNextToken()) this.nextToken = this.consumeNextToken();
    return this.nextToken!.trim() === expected;
  }
}

const NUMERIC_ORDER: Schema['type'][] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64'];

/** Values.mergeSchemas: numeric widening, otherwise only equal types */
function mergeSchemas(previous: Schema, next: Schema): Schema | null {
  if (previous.type !== next.type) {
    const a = NUMERIC_ORDER.indexOf(previous.type);
    const b = NUMERIC_ORDER.indexOf(next.type);
    if (a < 0 || b < 0) return null;
    return b > a ? next : previous;
  }
  if (previous.optional === next.optional) return previous.optional ? previous : next;
  // one optional, one not: never equal
  return null;
}

class SchemaMerger {
  private common: Schema | null = null;
  private compatible = true;

  merge(latest: SchemaAndValue | null): void {
    if (latest && latest.schema && this.compatible) {
      if (!this.common) this.common = latest.schema;
      else {
        this.common = mergeSchemas(this.common, latest.schema);
        this.compatible = this.common !== null;
      }
    }
  }

  schema(): Schema | null {
    return this.common;
  }
}

/** Values.convertTo for the values the parser produces (numbers widened to the merged type) */
function align(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (schema.optional) return null;
    throw new DataError('Unable to convert a null value to a schema that requires a value');
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    switch (schema.type) {
      case 'INT8':
      case 'INT16':
      case 'INT32':
        return Number(value);
      case 'INT64':
        return BigInt(value);
      case 'FLOAT32':
        return Math.fround(Number(value));
      case 'FLOAT64':
        return Number(value);
      default:
        break;
    }
  }
  return value;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function parseAsNumber(token: string): SchemaAndValue | null {
  // new BigDecimal(token): no leading '.', no NaN/Infinity
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token)) return null;
  const d = parseDecimalText(token);
  if (!d) return null;
  const digits = d.unscaled.replace(/^0+(?=\d)/, '');
  const isZero = /^0+$/.test(digits);
  const text = decimalToJavaString({ ...d, unscaled: digits });
  const abs = Math.abs(Number(text));
  // parseAsExactDecimal: whole numbers in long range as the narrowest integer type
  const stripped = digits.replace(/0+$/, '');
  const trailing = digits.length - stripped.length;
  const whole = isZero || d.scale <= 0 || d.scale - trailing <= 0;
  const exactCandidate = !(abs > 1e19 || (abs < 1 && !isZero));
  if (exactCandidate && whole) {
    const magnitude = d.scale <= 0 ? BigInt(digits) * 10n ** BigInt(-d.scale) : BigInt(digits) / 10n ** BigInt(d.scale);
    const integral = d.negative ? -magnitude : magnitude;
    if (integral >= LONG_MIN && integral <= LONG_MAX) {
      const n = Number(integral);
      if (n >= -128 && n <= 127) return { schema: Schemas.primitive('INT8'), value: n };
      if (n >= -32768 && n <= 32767) return { schema: Schemas.primitive('INT16'), value: n };
      if (n >= -2147483648 && n <= 2147483647) return { schema: Schemas.primitive('INT32'), value: n };
      return { schema: Schemas.primitive('INT64'), value: integral };
    }
  }
  const f = Math.fround(Number(token));
  if (Number.isFinite(f) && d.scale !== 0) return { schema: Schemas.primitive('FLOAT32'), value: f };
  const dv = Number(token);
  if (Number.isFinite(dv) && d.scale !== 0) return { schema: Schemas.primitive('FLOAT64'), value: dv };
  return { schema: { type: 'BYTES', optional: false, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: String(d.scale) } }, value: text };
}

/** SimpleDateFormat(pattern).parse(token, pos) for the three ISO patterns (UTC), partial match allowed */
function parseAsTemporal(raw: string | null): SchemaAndValue | null {
  if (raw === null) return null;
  const token = raw.replace(/\\:/g, ':');
  const num = (s: string): number => Number(s);
  if (token.length === 13) {
    const m = /^(\d+):(\d+):(\d+)\.(\d+)Z/.exec(token);
    if (!m) return null;
    const ms = ((num(m[1]!) * 60 + num(m[2]!)) * 60 + num(m[3]!)) * 1000 + num(m[4]!);
    return { schema: { type: 'INT32', optional: false, name: LogicalTypeNames.time, version: 1 }, value: new Date(ms) };
  }
  if (token.length === 24) {
    const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z/.exec(token);
    if (!m) return null;
    const ms = Date.UTC(num(m[1]!), num(m[2]!) - 1, num(m[3]!), num(m[4]!), num(m[5]!), num(m[6]!), num(m[7]!));
    return { schema: { type: 'INT64', optional: false, name: LogicalTypeNames.timestamp, version: 1 }, value: new Date(ms) };
  }
  if (token.length === 10) {
    const m = /^(\d+)-(\d+)-(\d+)/.exec(token);
    if (!m) return null;
    return { schema: { type: 'INT32', optional: false, name: LogicalTypeNames.date, version: 1 }, value: new Date(Date.UTC(num(m[1]!), num(m[2]!) - 1, num(m[3]!))) };
  }
  return null;
}

class ValueParser {
  constructor(private readonly parser: Parser) {}

  private canParseSingleTokenLiteral(embedded: boolean, literal: string): boolean {
    const start = this.parser.mark();
    if (this.parser.canConsume(literal) && (embedded || !this.parser.hasNext())) return true;
    this.parser.rewindTo(start);
    return false;
  }

  parse(embedded: boolean): SchemaAndValue | null {
    const p = this.parser;
    if (!p.hasNext()) return null;
    if (embedded && p.canConsume('"')) return this.parseQuotedString();
    if (this.canParseSingleTokenLiteral(embedded, 'null')) return null;
    if (this.canParseSingleTokenLiteral(embedded, 'true')) return { schema: Schemas.primitive('BOOLEAN'), value: true };
    if (this.canParseSingleTokenLiteral(embedded, 'false')) return { schema: Schemas.primitive('BOOLEAN'), value: false };
    const start = p.mark();
    try {
      if (p.canConsume('[')) return this.parseArray();
      if (p.canConsume('{')) return this.parseMap();
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      p.rewindTo(start);
    }
    const token = p.next();
    if (isBlank(token)) return { schema: Schemas.primitive('STRING'), value: token };
    return this.parseNextToken(embedded, token.trim());
  }

  private parseNextToken(embedded: boolean, token: string): SchemaAndValue {
    const first = token[0]!;
    const digit = first >= '0' && first <= '9';
    if (digit) {
      const temporal = this.parseMultipleTokensAsTemporal(token);
      if (temporal) return temporal;
    }
    if (digit || first === '+' || first === '-') {
      const n = parseAsNumber(token);
      if (n) return n;
    }
    if (embedded) throw new DataError('Failed to parse embedded value');
    return { schema: Schemas.primitive('STRING'), value: this.parser.original };
  }

  private parseQuotedString(): SchemaAndValue {
    let sb = '';
    while (this.parser.hasNext()) {
      if (this.parser.canConsume('"')) break;
      sb += this.parser.next();
    }
    return parseAsTemporal(sb) ?? { schema: Schemas.primitive('STRING'), value: sb };
  }

  private parseArray(): SchemaAndValue {
    const p = this.parser;
    let result: unknown[] = [];
    const elementSchema = new SchemaMerger();
    while (p.hasNext()) {
      if (p.canConsume(']')) {
        const common = elementSchema.schema();
        if (common) {
          result = result.map((v) => align(common, v));
          return { schema: Schemas.array(common), value: result };
        }
        return { schema: { type: 'ARRAY', optional: false }, value: result };
      }
      if (p.canConsume(',')) throw new DataError(`Unable to parse an empty array element: ${p.original}`);
      const element = this.parse(true);
      elementSchema.merge(element);
      result.push(element ? element.value : null);
      const current = p.mark();
      if (p.canConsume(']')) p.rewindTo(current);
      else if (!p.canConsume(',')) throw new DataError("Array elements missing ',' delimiter");
    }
    if (p.previous() === ',') throw new DataError(`Array is missing element after ',': ${p.original}`);
    throw new DataError(`Array is missing terminating ']': ${p.original}`);
  }

  private parseMap(): SchemaAndValue {
    const p = this.parser;
    let result = new Map<unknown, unknown>();
    const keySchema = new SchemaMerger();
    const valueSchema = new SchemaMerger();
    while (p.hasNext()) {
      if (p.canConsume('}')) {
        const ks = keySchema.schema();
        const vs = valueSchema.schema();
        if (ks && vs) {
          result = new Map([...result].map(([k, v]) => [align(ks, k), align(vs, v)]));
          return { schema: Schemas.map(ks, vs), value: result };
        }
        if (ks) {
          result = new Map([...result].map(([k, v]) => [align(ks, k), v]));
          return { schema: { type: 'MAP', optional: false, keySchema: ks }, value: result };
        }
        return { schema: { type: 'MAP', optional: false }, value: result };
      }
      if (p.canConsume(',')) throw new DataError(`Unable to parse a map entry with no key or value: ${p.original}`);
      const key = this.parse(true);
      if (!key || key.value === null) throw new DataError(`Map entry may not have a null key: ${p.original}`);
      if (!p.canConsume(':')) throw new DataError(`Map entry is missing ':' at ${p.position()} in ${p.original}`);
      const value = this.parse(true);
      result.set(key.value, value ? value.value : null);
      p.canConsume(',');
      keySchema.merge(key);
      valueSchema.merge(value);
    }
    if (p.previous() === ',') throw new DataError(`Map is missing element after ',': ${p.original}`);
    throw new DataError(`Map is missing terminating '}': ${p.original}`);
  }

  private parseMultipleTokensAsTemporal(token: string): SchemaAndValue | null {
    const position = this.parser.mark();
    const remainder = this.parser.nextN(4);
    if (remainder !== null) {
      const temporal = parseAsTemporal(token + remainder);
      if (temporal) return temporal;
    }
    this.parser.rewindTo(position);
    return parseAsTemporal(token);
  }
}

/** Values.parseString; null for the text "null" (and for null) */
export function parseConnectString(value: string | null): SchemaAndValue | null {
  if (value === null) return { schema: null, value: null };
  if (value.length === 0) return { schema: Schemas.primitive('STRING'), value };
  return new ValueParser(new Parser(value)).parse(false);
}
