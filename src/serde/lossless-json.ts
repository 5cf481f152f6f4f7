/**
 * JSON text -> plain JS values, like JSON.parse, except that numbers a double cannot hold exactly
 * (more than 15 significant digits) are kept as their source text in a JsonNumber. BIGINT and
 * DECIMAL columns need those digits; JSON.parse would round them.
 *
 * parseJsonText() picks JSON.parse when the text has no run of 16+ digit/point characters (so no
 * number in it can have more than 15 significant digits) and this parser otherwise.
 */

import { StacklessError } from './stackless-error.js';

/** A JSON number kept as text because a double would lose digits. */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** true when the token has no fraction and no exponent */
  get isIntegral(): boolean {
    return !/[.eE]/.test(this.text);
  }
}

/** Thrown for malformed text; the caller turns it into a SerdeError. */
export class JsonSyntaxError extends StacklessError {}

/**
 * Whether the text has a run of 16 or more characters that are digits or '.', i.e. what
 * /[0-9.]{16}/.test(text) says, several times faster: every such run covers an index that is 15
 * modulo 16, so only those are probed, and only a hit is measured.
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let p = 15; p < n; p += 16) {
    if (!isDigitOrPoint(text.charCodeAt(p))) continue;
    let start = p;
    while (start > 0 && isDigitOrPoint(text.charCodeAt(start - 1))) start--;
    let end = p + 1;
    while (end < n && isDigitOrPoint(text.charCodeAt(end))) end++;
    if (end - start >= 16) return true;
  }
  return false;
}

function isDigitOrPoint(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e;
}

export function parseJsonText(text: string): unknown {
  if (!hasLongDigitRun(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the record ("Unexpected token 'g', "{"a": garb"... is not
      // valid JSON"), which would put record content in logs: this parser says where, not what
      new LosslessParser(text).parseDocument();
      throw new JsonSyntaxError('Malformed JSON');
    }
  }
  return new LosslessParser(text).parseDocument();
}

const MAX_DOUBLE_DIGITS = 15;
/** Jackson's default (StreamReadConstraints) and what keeps this recursive parser off the stack limit */
export const MAX_JSON_DEPTH = 1000;

/** A character for an error message: printable ASCII quoted, anything else as its code point. */
function describeChar(c: number): string {
  return c > 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

class LosslessParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    this.skipWs();
    const v = this.parseValue();
    this.skipWs();
    if (this.pos < this.s.length) this.fail('Unexpected trailing content');
    return v;
  }

  private fail(msg: string): never {
    throw new JsonSyntaxError(`${msg} at position ${this.pos}`);
  }

  private skipWs(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private parseValue(): unknown {
    const c = this.s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject();
      case 0x5b: // [
        return this.parseArray();
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail(Number.isNaN(c) ? 'Unexpected end of JSON input' : `Unexpected character ${describeChar(c)}`);
    }
  }

  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) this.fail(`Nesting depth exceeds the maximum allowed (${MAX_JSON_DEPTH})`);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.s.startsWith(word, this.pos)) this.fail('Unexpected token');
    this.pos += word.length;
    return value;
  }

  private parseObject(): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.enter();
    this.pos++;
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.depth--;
      return obj;
    }
    for (;;) {
      if (this.s.charCodeAt(this.pos) !== 0x22) this.fail('Expected a property name');
      const key = this.parseString();
      this.skipWs();
      if (this.s.charCodeAt(this.pos) !== 0x3a) this.fail("Expected ':'");
      this.pos++;
      this.skipWs();
      const value = this.parseValue();
      // same as JSON.parse: "__proto__" becomes an own property, not a prototype change
      if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) {
        this.skipWs();
        continue;
      }
      if (c === 0x7d) {
        this.depth--;
        return obj;
      }
      this.pos--;
      this.fail("Expected ',' or '}'");
    }
  }

  private parseArray(): unknown[] {
    const arr: unknown[] = [];
    this.enter();
    this.pos++;
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.depth--;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue());
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) {
        this.skipWs();
        continue;
      }
      if (c === 0x5d) {
        this.depth--;
        return arr;
      }
      this.pos--;
      this.fail("Expected ',' or ']'");
    }
  }

  private parseString(): string {
    const s = this.s;
    const start = ++this.pos;
    let p = start;
    // fast path: no escapes
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x22) {
        this.pos = p + 1;
        return s.slice(start, p);
      }
      if (c === 0x5c) break;
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = p;
        this.fail(Number.isNaN(c) ? 'Unterminated string' : 'Bad control character in string');
      }
      p++;
    }
    let out = s.slice(start, p);
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x22) {
        this.pos = p + 1;
        return out;
      }
      if (Number.isNaN(c) || c < 0x20) {
        this.pos = p;
        this.fail(Number.isNaN(c) ? 'Unterminated string' : 'Bad control character in string');
      }
      if (c !== 0x5c) {
        out += s[p];
        p++;
        continue;
      }
      const e = s[p + 1];
      p += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = s.slice(p, p + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p;
            this.fail('Bad unicode escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          this.pos = p - 1;
          this.fail('Bad escaped character');
      }
    }
  }

  private parseNumber(): number | JsonNumber {
    const s = this.s;
    const start = this.pos;
    let p = start;
    let digits = 0;
    if (s.charCodeAt(p) === 0x2d) p++;
    const intStart = p;
    while (isDigit(s.charCodeAt(p))) p++;
    const intLen = p - intStart;
    if (intLen === 0) {
      this.pos = p;
      this.fail('No number after minus sign');
    }
    if (intLen > 1 && s.charCodeAt(intStart) === 0x30) {
      this.pos = intStart;
      this.fail('Leading zeros are not allowed');
    }
    digits += intLen;
    if (s.charCodeAt(p) === 0x2e) {
      p++;
      const fracStart = p;
      while (isDigit(s.charCodeAt(p))) p++;
      if (p === fracStart) {
        this.pos = p;
        this.fail('Unterminated fractional number');
      }
      digits += p - fracStart;
    }
    const c = s.charCodeAt(p);
    if (c === 0x65 || c === 0x45) {
      p++;
      const sc = s.charCodeAt(p);
      if (sc === 0x2b || sc === 0x2d) p++;
      const expStart = p;
      while (isDigit(s.charCodeAt(p))) p++;
      if (p === expStart) {
        this.pos = p;
        this.fail('Exponent part is missing a number');
      }
    }
    this.pos = p;
    const text = s.slice(start, p);
    // leading zeros of "0.000123" are not significant, but counting them only costs a slower path
    return digits > MAX_DOUBLE_DIGITS ? new JsonNumber(text) : Number(text);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
