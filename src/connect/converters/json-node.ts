/**
 * A JSON tree shaped like Jackson's JsonNode, as Kafka's JsonConverter sees it: numbers keep their
 * source text and Jackson's node type (int / long / big integer / decimal, because the converter
 * reads with USE_BIG_DECIMAL_FOR_FLOATS), objects keep key order, and bytes are a node of their own
 * that prints as base64. Kafka's accessors are lenient (intValue() of a string is 0), so they are
 * reproduced here rather than JSON.parse's plain values.
 */
import { javaDoubleToString, parseDecimalText, decimalToJavaString } from '../../serde/java-number-text.js';
import { javaFloatToString } from '../../serde/avro/avro-decode.js';
import { decodeBase64 } from '../../serde/base64-text.js';

export type JsonNodeType = 'NULL' | 'BOOLEAN' | 'NUMBER' | 'STRING' | 'BINARY' | 'ARRAY' | 'OBJECT' | 'MISSING';

export type JsonNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  /** text is what is printed; numberKind is Jackson's node class */
  | { readonly kind: 'number'; readonly text: string; readonly numberKind: 'int' | 'long' | 'bigint' | 'decimal' | 'float' | 'double' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'binary'; readonly value: Buffer }
  | { readonly kind: 'array'; readonly items: JsonNode[] }
  | { readonly kind: 'object'; readonly fields: Map<string, JsonNode> };

export const NULL_NODE: JsonNode = { kind: 'null' };

export class JsonParseError extends Error {}

export const JsonNodes = {
  bool: (value: boolean): JsonNode => ({ kind: 'boolean', value }),
  text: (value: string): JsonNode => ({ kind: 'string', value }),
  binary: (value: Buffer): JsonNode => ({ kind: 'binary', value }),
  int: (n: number): JsonNode => ({ kind: 'number', text: String(n), numberKind: 'int' }),
  long: (n: bigint): JsonNode => ({ kind: 'number', text: String(n), numberKind: 'long' }),
  float: (f: number): JsonNode => ({ kind: 'number', text: javaFloatToString(f), numberKind: 'float' }),
  double: (d: number): JsonNode => ({ kind: 'number', text: javaDoubleToString(d), numberKind: 'double' }),
  /** a BigDecimal node printed as BigDecimal.toString() (Jackson's default, exact factory) */
  decimal: (text: string): JsonNode => {
    const d = parseDecimalText(text);
    return { kind: 'number', text: d ? decimalToJavaString(d) : text, numberKind: 'decimal' };
  },
  array: (items: JsonNode[]): JsonNode => ({ kind: 'array', items }),
  object: (fields: Map<string, JsonNode> = new Map()): JsonNode => ({ kind: 'object', fields }),
};

export function nodeType(node: JsonNode | undefined): JsonNodeType {
  if (!node) return 'MISSING';
  switch (node.kind) {
    case 'null':
      return 'NULL';
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return 'NUMBER';
    case 'string':
      return 'STRING';
    case 'binary':
      return 'BINARY';
    case 'array':
      return 'ARRAY';
    case 'object':
      return 'OBJECT';
  }
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Jackson's numeric accessors (intValue/longValue/doubleValue) with Java's narrowing casts. */
export const NodeValues = {
  isIntegral(node: JsonNode): boolean {
    return node.kind === 'number' && (node.numberKind === 'int' || node.numberKind === 'long' || node.numberKind === 'bigint');
  },
  isInt(node: JsonNode): boolean {
    return node.kind === 'number' && node.numberKind === 'int';
  },
  /** the exact value as a bigint (fractions truncated toward zero, as a Java cast) */
  bigValue(node: JsonNode): bigint {
    if (node.kind !== 'number') return 0n;
    if (NodeValues.isIntegral(node)) return BigInt(node.text);
    const d = Number(node.text);
    if (!Number.isFinite(d)) return d > 0 ? INT64_MAX : d < 0 ? INT64_MIN : 0n;
    return BigInt(Math.trunc(d));
  },
  longValue(node: JsonNode): bigint {
    if (node.kind !== 'number') return 0n;
    if (!NodeValues.isIntegral(node)) {
      // (long) double saturates in Java
      const b = NodeValues.bigValue(node);
      return b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b;
    }
    return BigInt.asIntN(64, BigInt(node.text));
  },
  intValue(node: JsonNode): number {
    if (node.kind !== 'number') return 0;
    if (!NodeValues.isIntegral(node)) {
      const b = NodeValues.bigValue(node);
      return Number(b > INT32_MAX ? INT32_MAX : b < INT32_MIN ? INT32_MIN : b);
    }
    return Number(BigInt.asIntN(32, BigInt(node.text)));
  },
  doubleValue(node: JsonNode): number {
    return node.kind === 'number' ? Number(node.text) : 0;
  },
  floatValue(node: JsonNode): number {
    return Math.fround(NodeValues.doubleValue(node));
  },
  booleanValue(node: JsonNode): boolean {
    return node.kind === 'boolean' ? node.value : false;
  },
  textValue(node: JsonNode): string | null {
    return node.kind === 'string' ? node.value : null;
  },
  /** binaryValue(): bytes of a binary node, base64-decoded text, null for other nodes; throws on bad base64 */
  binaryValue(node: JsonNode): Buffer | null {
    if (node.kind === 'binary') return node.value;
    if (node.kind !== 'string') return null;
    const bytes = decodeBase64(node.value.replace(/[\r\n]/g, ''));
    if (!bytes) throw new JsonParseError(`Cannot access contents of TextNode as binary due to broken Base64 encoding`);
    return bytes;
  },
  /** asText(): what a node prints as, without quotes for strings */
  asText(node: JsonNode): string {
    switch (node.kind) {
      case 'null':
        return 'null';
      case 'boolean':
        return String(node.value);
      case 'number':
        return node.text;
      case 'string':
        return node.value;
      case 'binary':
        return node.value.toString('base64');
      default:
        return '';
    }
  },
};

/** Jackson's ObjectMapper.readTree: numbers become int/long/BigInteger or (with USE_BIG_DECIMAL_FOR_FLOATS) BigDecimal nodes. */
export function parseJsonNode(text: string): JsonNode | undefined {
  const p = new Parser(text);
  p.skipWs();
  if (p.pos >= text.length) return undefined;
  const node = p.value(0);
  p.skipWs();
  if (p.pos < text.length) p.fail('Unexpected character after the JSON value');
  return node;
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** the top-level object's fields with where each value's text starts and ends */
export function parseJsonNodeWithSpans(text: string): { node: JsonNode | undefined; spans: Map<string, [number, number]> } {
  const p = new Parser(text);
  p.skipWs();
  if (p.pos >= text.length) return { node: undefined, spans: p.spans };
  p.recordSpans = true;
  const node = p.value(0);
  p.skipWs();
  if (p.pos < text.length) p.fail('Unexpected character after the JSON value');
  return { node, spans: p.spans };
}

class Parser {
  pos = 0;
  recordSpans = false;
  readonly spans = new Map<string, [number, number]>();
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new JsonParseError(`${what} at position ${this.pos}`);
  }

  skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > 1000) this.fail('Nesting too deep');
    this.skipWs();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return JsonNodes.text(this.string());
    if (c === 't' && this.text.startsWith('true', this.pos)) return (this.pos += 4), JsonNodes.bool(true);
    if (c === 'f' && this.text.startsWith('false', this.pos)) return (this.pos += 5), JsonNodes.bool(false);
    if (c === 'n' && this.text.startsWith('null', this.pos)) return (this.pos += 4), NULL_NODE;
    return this.number();
  }

  object(depth: number): JsonNode {
    this.pos++;
    const fields = new Map<string, JsonNode>();
    this.skipWs();
    if (this.text[this.pos] === '}') return this.pos++, JsonNodes.object(fields);
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail('Expected a field name');
      const key = this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail("Expected ':'");
      this.pos++;
      if (depth === 0 && this.recordSpans) {
        this.skipWs();
        const from = this.pos;
        fields.set(key, this.value(depth + 1));
        this.spans.set(key, [from, this.pos]);
      } else fields.set(key, this.value(depth + 1));
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === '}') return JsonNodes.object(fields);
      if (c !== ',') this.fail("Expected ',' or '}'");
    }
  }

  array(depth: number): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.pos] === ']') return this.pos++, JsonNodes.array(items);
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === ']') return JsonNodes.array(items);
      if (c !== ',') this.fail("Expected ',' or ']'");
    }
  }

  string(): string {
    const start = this.pos;
    const t = this.text;
    let end = start + 1;
    let escaped = false;
    for (;;) {
      if (end >= t.length) this.fail('Unterminated string');
      const c = t.charCodeAt(end);
      if (c === 0x22) break;
      if (c === 0x5c) {
        end++;
        escaped = true;
      } else if (c < 0x20) this.fail('Illegal unquoted character in a string');
      end++;
    }
    this.pos = end + 1;
    if (!escaped) return t.slice(start + 1, end);
    try {
      return JSON.parse(t.slice(start, end + 1)) as string;
    } catch {
      return this.fail('Bad escape in a string');
    }
  }

  number(): JsonNode {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m || m[0] === '' || m[0] === '-') this.fail('Unexpected character');
    this.pos += m[0].length;
    const text = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const b = BigInt(text);
      const numberKind = b >= INT32_MIN && b <= INT32_MAX ? 'int' : b >= INT64_MIN && b <= INT64_MAX ? 'long' : 'bigint';
      return { kind: 'number', text, numberKind };
    }
    return { kind: 'number', text, numberKind: 'decimal' };
  }
}

/** Jackson's compact serialization of a tree (no spaces; bytes as base64). */
export function stringifyJsonNode(node: JsonNode): string {
  const out: string[] = [];
  writeNode(node, out);
  return out.join('');
}

// characters JSON needs escaped; strings without them are written as they are
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function writeNode(node: JsonNode, out: string[]): void {
  switch (node.kind) {
    case 'string':
      out.push(quote(node.value));
      return;
    case 'array': {
      out.push('[');
      node.items.forEach((item, i) => {
        if (i > 0) out.push(',');
        writeNode(item, out);
      });
      out.push(']');
      return;
    }
    case 'object': {
      out.push('{');
      let first = true;
      for (const [k, v] of node.fields) {
        if (!first) out.push(',');
        first = false;
        out.push(quote(k), ':');
        writeNode(v, out);
      }
      out.push('}');
      return;
    }
    default:
      out.push(scalarText(node));
  }
}

function scalarText(node: JsonNode): string {
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return node.value ? 'true' : 'false';
    case 'number':
      return numberText(node.text, node.numberKind);
    case 'binary':
      return `"${node.value.toString('base64')}"`;
    default:
      return stringifyJsonNode(node);
  }
}

function numberText(text: string, kind: string): string {
  // Jackson quotes non-finite doubles (QUOTE_NON_NUMERIC_NUMBERS is on by default)
  if (kind === 'double' || kind === 'float') return text === 'NaN' || text.endsWith('Infinity') ? `"${text}"` : text;
  if (kind === 'decimal') {
    const d = parseDecimalText(text);
    return d ? decimalToJavaString(d) : text;
  }
  return text;
}
