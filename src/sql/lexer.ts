/**
 * Hand-written lexer for the ksqlDB dialect, producing chevrotain tokens. Hand written because the
 * rules are case-insensitive keywords over one identifier pattern, and because every malformed input
 * must become a ParseError with a position (never a chevrotain lexer error list).
 */
import { createToken, createTokenInstance, Lexer, type IToken, type TokenType } from 'chevrotain';
import type { SourcePosition } from '../common/errors.js';
import { SYNTAX_ERROR, positionAt, syntaxError } from './parse-error.js';
import * as T from './tokens.js';

/** A `${name}` reference left in the text (only produced when the caller allows variables). */
export const VariableToken = createToken({ name: 'Variable', pattern: Lexer.NA });

export interface LexOptions {
  /** produce Variable tokens for `${name}` instead of failing */
  readonly allowVariables?: boolean;
  /** offset to start lexing at (statements re-lexed after variable substitution) */
  readonly start?: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_@]*/y;
const NUMBER_RE = /(?:[0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?/y;
const DIGIT_IDENT_RE = /[0-9][A-Za-z0-9_@]+/y;
const VARIABLE_RE = /\$\{([A-Za-z_][A-Za-z0-9_@]*)\}/y;

const singleCharTokens: Record<string, TokenType> = {
  '+': T.Plus,
  '*': T.Asterisk,
  '/': T.Slash,
  '%': T.Percent,
  '(': T.LParen,
  ')': T.RParen,
  '[': T.LBracket,
  ']': T.RBracket,
  ',': T.Comma,
  ';': T.Semicolon,
  '.': T.Dot,
};

export function tokenize(text: string, options: LexOptions = {}): IToken[] {
  const tokens: IToken[] = [];
  let i = options.start ?? 0;
  const startPos = positionAt(text, i);
  let line = startPos.line;
  let lineStart = i - (startPos.column - 1);
  const n = text.length;

  const fail = (at: number, detail: string): never => {
    throw syntaxError(text, { line, column: at - lineStart + 1, offset: at }, `${SYNTAX_ERROR}\n${detail}`, text.slice(at, at + 1));
  };
  const push = (type: TokenType, start: number, end: number, startLine: number, startCol: number): void => {
    tokens.push(createTokenInstance(type, text.slice(start, end), start, end - 1, startLine, line, startCol, end - lineStart));
  };
  /** account for newlines inside a multi-line token or comment */
  const advanceLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
  };
  /** quoted run closed by `q`, where a doubled `q` escapes it; returns the end offset (exclusive) */
  const quoted = (start: number, q: string, what: string): number => {
    let k = start + 1;
    for (;;) {
      const j = text.indexOf(q, k);
      if (j < 0) fail(start, `unterminated ${what}`);
      if (text[j + 1] === q) {
        k = j + 2;
        continue;
      }
      return j + 1;
    }
  };

  while (i < n) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    if (code === 10) {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    const startLine = line;
    const startCol = i - lineStart + 1;
    if (c === '-' && text[i + 1] === '-') {
      const j = text.indexOf('\n', i);
      i = j < 0 ? n : j;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const j = text.indexOf('*/', i + 2);
      if (j < 0) fail(i, 'unterminated comment');
      advanceLines(i, j + 2);
      i = j + 2;
      continue;
    }
    if (IDENT_START.test(c)) {
      IDENT_RE.lastIndex = i;
      IDENT_RE.exec(text);
      const end = IDENT_RE.lastIndex;
      const word = text.slice(i, end).toUpperCase();
      push(T.keywordTokens.get(word) ?? T.UnquotedIdentifier, i, end, startLine, startCol);
      i = end;
      continue;
    }
    if ((code >= 48 && code <= 57) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text)!;
      let end = NUMBER_RE.lastIndex;
      let type: TokenType = m[2] ? T.FloatValue : m[1] !== undefined || c === '.' ? T.DecimalValue : T.IntegerValue;
      if (c !== '.') {
        // ksqlDB's DIGIT_IDENTIFIER (e.g. 1ST_COL) wins when it is the longer match
        DIGIT_IDENT_RE.lastIndex = i;
        if (DIGIT_IDENT_RE.exec(text) && DIGIT_IDENT_RE.lastIndex > end) {
          end = DIGIT_IDENT_RE.lastIndex;
          type = T.DigitIdentifier;
        }
      }
      push(type, i, end, startLine, startCol);
      i = end;
      continue;
    }
    switch (c) {
      case "'": {
        const end = quoted(i, "'", 'string literal');
        advanceLines(i, end);
        push(T.StringLiteralToken, i, end, startLine, startCol);
        i = end;
        continue;
      }
      case '"': {
        const end = quoted(i, '"', 'quoted identifier');
        advanceLines(i, end);
        if (end - i === 2) fail(i, 'empty quoted identifier');
        push(T.QuotedIdentifier, i, end, startLine, startCol);
        i = end;
        continue;
      }
      case '`': {
        const end = quoted(i, '`', 'quoted identifier');
        advanceLines(i, end);
        if (end - i === 2) fail(i, 'empty quoted identifier');
        push(T.BackquotedIdentifier, i, end, startLine, startCol);
        i = end;
        continue;
      }
      case '$': {
        VARIABLE_RE.lastIndex = i;
        const m = VARIABLE_RE.exec(text);
        if (!m) fail(i, `unexpected character '$'`);
        if (!options.allowVariables) fail(i, `variable '${m![0]}' is not defined`);
        const end = VARIABLE_RE.lastIndex;
        push(VariableToken, i, end, startLine, startCol);
        i = end;
        continue;
      }
      case '=':
        if (text[i + 1] === '>') {
          push(T.LambdaArrow, i, i + 2, startLine, startCol);
          i += 2;
        } else {
          push(T.Eq, i, i + 1, startLine, startCol);
          i++;
        }
        continue;
      case '<': {
        const next = text[i + 1];
        const [type, len] = next === '>' ? [T.Neq, 2] : next === '=' ? [T.Lte, 2] : [T.Lt, 1];
        push(type, i, i + len, startLine, startCol);
        i += len;
        continue;
      }
      case '>': {
        const [type, len] = text[i + 1] === '=' ? [T.Gte, 2] : [T.Gt, 1];
        push(type, i, i + len, startLine, startCol);
        i += len;
        continue;
      }
      case '!':
        if (text[i + 1] !== '=') fail(i, `unexpected character '!'`);
        push(T.Neq, i, i + 2, startLine, startCol);
        i += 2;
        continue;
      case '|':
        if (text[i + 1] !== '|') fail(i, `unexpected character '|'`);
        push(T.ConcatOp, i, i + 2, startLine, startCol);
        i += 2;
        continue;
      case ':':
        if (text[i + 1] !== '=') fail(i, `unexpected character ':'`);
        push(T.Assign, i, i + 2, startLine, startCol);
        i += 2;
        continue;
      case '-':
        if (text[i + 1] === '>') {
          push(T.Arrow, i, i + 2, startLine, startCol);
          i += 2;
        } else {
          push(T.Minus, i, i + 1, startLine, startCol);
          i++;
        }
        continue;
      default: {
        const type = singleCharTokens[c];
        if (!type) {
          const cp = text.codePointAt(i)!;
          const shown = cp < 32 || cp === 127 ? `\\u${cp.toString(16).padStart(4, '0')}` : String.fromCodePoint(cp);
          fail(i, `unexpected character '${shown}'`);
        }
        push(type!, i, i + 1, startLine, startCol);
        i++;
      }
    }
  }
  return tokens;
}

/** The name an identifier token stands for: unquoted ones upper-cased, quoted ones as written. */
export function identifierName(tok: IToken): string {
  const type = tok.tokenType;
  if (type === T.BackquotedIdentifier) return tok.image.slice(1, -1).replace(/``/g, '`');
  if (type === T.QuotedIdentifier) return tok.image.slice(1, -1).replace(/""/g, '"');
  return tok.image.toUpperCase();
}

export function isQuotedIdentifier(tok: IToken): boolean {
  return tok.tokenType === T.BackquotedIdentifier || tok.tokenType === T.QuotedIdentifier;
}

/** The value of a string literal token ('' unescaped). */
export function stringValue(tok: IToken): string {
  return tok.image.slice(1, -1).replace(/''/g, "'");
}

export function tokenPosition(tok: IToken): SourcePosition {
  return { line: tok.startLine ?? 1, column: tok.startColumn ?? 1, offset: tok.startOffset };
}

export { positionAt };
