/**
 * A compact notation for function signatures, so the function library reads like documentation:
 *   p('STRING'), p('DECIMAL') (any decimal), p('STRUCT') (any struct), p('T') (generic),
 *   p('ARRAY<T>'), p('MAP<K, V>'), p('LAMBDA<(T, U) => BOOLEAN>'), p('INTERVALUNIT'),
 *   p('DECIMAL(10, 2)') (an exact decimal), p('STRUCT<A STRING, B INT>') (an exact struct),
 *   p('ANY') (any type, each occurrence its own, like a Java Object parameter).
 * Generic names are one upper-case letter optionally followed by digits (T, U, K, V, A, B, T1).
 */
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes } from '../common/sql-types.js';
import type { ParamType } from './function-types.js';

const PRIMITIVES: Record<string, SqlType> = {
  BOOLEAN: SqlTypes.BOOLEAN,
  INT: SqlTypes.INTEGER,
  INTEGER: SqlTypes.INTEGER,
  BIGINT: SqlTypes.BIGINT,
  DOUBLE: SqlTypes.DOUBLE,
  STRING: SqlTypes.STRING,
  VARCHAR: SqlTypes.STRING,
  BYTES: SqlTypes.BYTES,
  DATE: SqlTypes.DATE,
  TIME: SqlTypes.TIME,
  TIMESTAMP: SqlTypes.TIMESTAMP,
};

const cache = new Map<string, ParamType>();

export function p(text: string): ParamType {
  let hit = cache.get(text);
  if (!hit) {
    const reader = new PatternReader(text);
    hit = reader.readType();
    reader.expectEnd();
    cache.set(text, hit);
  }
  return hit;
}

/** Several patterns at once: ps('ARRAY<T>', 'T'). */
export function ps(...texts: string[]): ParamType[] {
  return texts.map(p);
}

class PatternReader {
  private i = 0;
  constructor(private readonly text: string) {}

  readType(): ParamType {
    const word = this.readWord();
    switch (word) {
      case 'ARRAY': {
        this.expect('<');
        const element = this.readType();
        this.expect('>');
        return { kind: 'array', element };
      }
      case 'MAP': {
        this.expect('<');
        const key = this.readType();
        this.expect(',');
        const value = this.readType();
        this.expect('>');
        return { kind: 'map', key, value };
      }
      case 'LAMBDA': {
        this.expect('<');
        this.expect('(');
        const params: ParamType[] = [];
        if (!this.peek(')')) {
          do params.push(this.readType());
          while (this.accept(','));
        }
        this.expect(')');
        this.expect('=>');
        const returns = this.readType();
        this.expect('>');
        return { kind: 'lambda', params, returns };
      }
      case 'DECIMAL': {
        if (!this.accept('(')) return { kind: 'anyDecimal' };
        const precision = Number(this.readWord());
        this.expect(',');
        const scale = Number(this.readWord());
        this.expect(')');
        return { kind: 'exact', type: SqlTypes.decimal(precision, scale) };
      }
      case 'STRUCT': {
        if (!this.accept('<')) return { kind: 'anyStruct' };
        const fields: { name: string; type: SqlType }[] = [];
        do {
          const name = this.readWord();
          const type = this.readType();
          if (type.kind !== 'exact') throw new Error(`bad type pattern '${this.text}': struct field ${name} must have a concrete type`);
          fields.push({ name, type: type.type });
        } while (this.accept(','));
        this.expect('>');
        return { kind: 'exact', type: SqlTypes.struct(fields) };
      }
      case 'ANY':
        return { kind: 'any' };
      case 'INTERVALUNIT':
        return { kind: 'intervalUnit' };
      default: {
        const prim = PRIMITIVES[word];
        if (prim) return { kind: 'exact', type: prim };
        if (/^[A-Z][0-9]*$/.test(word)) return { kind: 'generic', name: word };
        throw new Error(`bad type pattern '${this.text}': unknown type '${word}'`);
      }
    }
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.i !== this.text.length) throw new Error(`bad type pattern '${this.text}' at ${this.i}`);
  }

  private readWord(): string {
    this.skipSpace();
    const m = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.i));
    if (!m) throw new Error(`bad type pattern '${this.text}' at ${this.i}`);
    this.i += m[0].length;
    return m[0].toUpperCase();
  }

  private skipSpace(): void {
    while (this.text[this.i] === ' ') this.i++;
  }

  private peek(tok: string): boolean {
    this.skipSpace();
    return this.text.startsWith(tok, this.i);
  }

  private accept(tok: string): boolean {
    if (!this.peek(tok)) return false;
    this.i += tok.length;
    return true;
  }

  private expect(tok: string): void {
    if (!this.accept(tok)) throw new Error(`bad type pattern '${this.text}': expected '${tok}' at ${this.i}`);
  }
}
