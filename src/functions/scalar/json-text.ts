/**
 * A small JSON tree with Jackson's behaviour as ksqlDB configures it for its JSON functions:
 * numbers keep their exact decimal value (BigDecimal, so "1.23450" prints back unchanged),
 * empty input is a "missing" node, trailing content after the first value is ignored, and
 * output is compact.
 */
import { Decimal } from 'decimal.js';
import { ExecutionError } from '../../common/errors.js';
import type { SqlType } from '../../common/sql-types.js';
import { javaDecimalToString, javaDoubleToString, decimalScaleOf } from './java-format.js';
import { isPlainObject } from './value-semantics.js';

export type JsonNode =
  | { readonly t: 'object'; readonly fields: Map<string, JsonNode> }
  | { readonly t: 'array'; readonly items: JsonNode[] }
  | { readonly t: 'string'; readonly v: string }
  /** text is already in Jackson's output form */
  | { readonly t: 'number'; readonly text: string; readonly integral: boolean }
  | { readonly t: 'boolean'; readonly v: boolean }
  | { readonly t: 'null' };

export class JsonSyntaxError extends ExecutionError {}

/** Parses the first JSON value in `text`; undefined when there is none (blank input). */
export function parseJson(text: string): JsonNode | undefined {
  const p = new JsonReader(text);
  p.skipWs();
  if (p.atEnd()) return undefined;
  return p.readValue();
}

/** parseJson that reports bad JSON as undefined too. */
export function tryParseJson(text: string): JsonNode | undefined {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return undefined;
    throw e;
  }
}

class JsonReader {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  skipWs(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`Invalid JSON: ${what} at position ${this.i}`);
  }

  readValue(): JsonNode {
    this.skipWs();
    const c = this.s[this.i];
    if (c === '{') return this.readObject();
    if (c === '[') return this.readArray();
    if (c === '"') return { t: 'string', v: this.readString() };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.readNumber();
    for (const [word, node] of [
      ['true', { t: 'boolean', v: true }],
      ['false', { t: 'boolean', v: false }],
      ['null', { t: 'null' }],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        if (/[A-Za-z0-9_]/.test(this.s[this.i] ?? '')) this.fail('unrecognized token');
        return node as JsonNode;
      }
    }
    return this.fail(c === undefined ? 'unexpected end of input' : `unexpected character '${c}'`);
  }

  private readObject(): JsonNode {
    this.i++;
    const fields = new Map<string, JsonNode>();
    this.skipWs();
    if (this.s[this.i] === '}') {
      this.i++;
      return { t: 'object', fields };
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.i] !== '"') this.fail('expected field name');
      const key = this.readString();
      this.skipWs();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      fields.set(key, this.readValue());
      this.skipWs();
      const c = this.s[this.i++];
      if (c === '}') return { t: 'object', fields };
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private readArray(): JsonNode {
    this.i++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.s[this.i] === ']') {
      this.i++;
      return { t: 'array', items };
    }
    for (;;) {
      items.push(this.readValue());
      this.skipWs();
      const c = this.s[this.i++];
      if (c === ']') return { t: 'array', items };
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private readString(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.s[this.i++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = this.s.slice(this.i, this.i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad unicode escape');
            out += String.fromCharCode(parseInt(hex, 16));
            this.i += 4;
            break;
          }
          default:
            this.fail('bad escape');
        }
      } else if (c < ' ') {
        this.fail('unescaped control character');
      } else {
        out += c;
      }
    }
  }

  private readNumber(): JsonNode {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail('bad number');
    this.i += m[0].length;
    const text = m[0];
    if (m[2] === undefined && m[3] === undefined) return { t: 'number', text: BigInt(text).toString(), integral: true };
    // BigDecimal: scale = fraction digits minus exponent
    const scale = (m[2] ? m[2].length - 1 : 0) - (m[3] ? Number(m[3].slice(1)) : 0);
    return { t: 'number', text: javaDecimalToString(new Decimal(text), scale), integral: false };
  }
}

/** Jackson's compact output. */
export function writeJson(node: JsonNode): string {
  switch (node.t) {
    case 'object':
      return `{${[...node.fields].map(([k, v]) => `${quoteJson(k)}:${writeJson(v)}`).join(',')}}`;
    case 'array':
      return `[${node.items.map(writeJson).join(',')}]`;
    case 'string':
      return quoteJson(node.v);
    case 'number':
      return node.text;
    case 'boolean':
      return node.v ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

/** JsonNode.asText() for text nodes, toString() for the rest: what EXTRACTJSONFIELD returns. */
export function jsonNodeText(node: JsonNode): string {
  return node.t === 'string' ? node.v : writeJson(node);
}

export function quoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (code < 0x20) {
      const short: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
      out += short[c] ?? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += c;
  }
  return out + '"';
}

/** Runtime SQL value to JSON text, as ksqlDB's JSON serializer writes it (TO_JSON_STRING). */
export function sqlValueToJson(value: unknown, type: SqlType | undefined): string {
  if (value === null || value === undefined) return 'null';
  switch (type?.kind) {
    case 'DATE':
      return quoteJson(new Date(Number(value) * 86_400_000).toISOString().slice(0, 10));
    // Jackson's defaults for the JDBC types ksqlDB hands it: java.sql.Time prints as HH:mm:ss,
    // java.sql.Timestamp as epoch milliseconds
    case 'TIME':
      return quoteJson(new Date(Number(value)).toISOString().slice(11, 19));
    case 'TIMESTAMP':
      return String(value);
    case 'DECIMAL':
      return javaDecimalToString(value as Decimal, type.scale);
    case 'ARRAY':
      return `[${(value as unknown[]).map((v) => sqlValueToJson(v, type.element)).join(',')}]`;
    case 'MAP':
      return `{${[...(value as Map<unknown, unknown>)]
        .map(([k, v]) => `${quoteJson(String(k))}:${sqlValueToJson(v, type.value)}`)
        .join(',')}}`;
    case 'STRUCT':
      return `{${type.fields
        .map((f) => `${quoteJson(f.name)}:${sqlValueToJson((value as Record<string, unknown>)[f.name] ?? null, f.type)}`)
        .join(',')}}`;
    default:
      break;
  }
  // no (or a primitive) type: go by the runtime representation
  if (typeof value === 'string') return quoteJson(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (type?.kind === 'INTEGER') return String(value);
    return Number.isFinite(value) ? javaDoubleToString(value) : quoteJson(String(value));
  }
  if (Decimal.isDecimal(value)) return javaDecimalToString(value as Decimal, decimalScaleOf(value as Decimal));
  if (Buffer.isBuffer(value)) return quoteJson(value.toString('base64'));
  if (Array.isArray(value)) return `[${value.map((v) => sqlValueToJson(v, undefined)).join(',')}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${quoteJson(String(k))}:${sqlValueToJson(v, undefined)}`).join(',')}}`;
  }
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${quoteJson(k)}:${sqlValueToJson(v, undefined)}`).join(',')}}`;
  }
  return quoteJson(String(value));
}
