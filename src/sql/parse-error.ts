/**
 * Builds ParseErrors with a uniform, readable message:
 *
 *   line 2:15: Syntax Error: unexpected 'FROM', expected identifier, '*' or '('
 *     SELECT a, FROM s;
 *               ^
 */
import { ParseError, type SourcePosition } from '../common/errors.js';

/** Longest excerpt of the offending line shown; long lines are cut around the column. */
const MAX_EXCERPT = 120;

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}

/** The line holding `pos` and a caret line under its column. */
export function caretExcerpt(text: string, pos: SourcePosition): string {
  const lineStart = pos.offset - (pos.column - 1);
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  let line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  let col = pos.column - 1;
  if (line.length > MAX_EXCERPT) {
    const from = Math.max(0, Math.min(col - MAX_EXCERPT / 2, line.length - MAX_EXCERPT));
    line = (from > 0 ? '...' : '') + line.slice(from, from + MAX_EXCERPT) + (from + MAX_EXCERPT < line.length ? '...' : '');
    col = col - from + (from > 0 ? 3 : 0);
  }
  // keep tabs so the caret lines up in a terminal
  const pad = line.slice(0, col).replace(/[^\t]/g, ' ');
  return `  ${line}\n  ${pad}^`;
}

export function describeExpected(expected: readonly string[]): string {
  if (expected.length === 0) return '';
  if (expected.length === 1) return expected[0]!;
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
}

/** Printable form of an offending token ('<end of input>' for none). */
export function showToken(image: string | undefined): string {
  if (image === undefined || image === '') return 'end of input';
  const short = image.length > 40 ? image.slice(0, 37) + '...' : image;
  return `'${short}'`;
}

export function syntaxError(
  text: string,
  pos: SourcePosition,
  detail: string,
  token?: string,
  expected?: readonly string[],
): ParseError {
  const message = `line ${pos.line}:${pos.column}: ${detail}\n${caretExcerpt(text, pos)}`;
  return new ParseError(message, pos, text, token, expected);
}

/** What a syntax error's message starts with, as in ksqlDB's (`line 1:33: Syntax Error`). */
export const SYNTAX_ERROR = 'Syntax Error';

/** The standard "unexpected token" error. */
export function unexpectedToken(
  text: string,
  pos: SourcePosition,
  token: string | undefined,
  expected: readonly string[],
): ParseError {
  const exp = describeExpected(expected);
  const detail = `${SYNTAX_ERROR}: unexpected ${showToken(token)}` + (exp ? `, expected ${exp}` : '');
  return syntaxError(text, pos, detail, token ?? '', expected);
}
