/**
 * Builds ParseErrors worded as ksqlDB's (ANTLR's) and placed with a caret:
 *
 *   line 1:33: Syntax Error
 *   missing ')' at ','
 *   Statement: SELECT * FROM s GROUP BY f3, (f2, f1);
 *     SELECT * FROM s GROUP BY f3, (f2, f1);
 *                                     ^
 */
import { ParseError, type SourcePosition } from '../common/errors.js';

/** Longest statement text repeated in a message (ksqlDB repeats it whole; a 1 MB literal would be too much). */
const MAX_STATEMENT = 2000;

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

/** What a syntax error's message starts with after the place, as in ksqlDB's (`line 1:33: Syntax Error`). */
export const SYNTAX_ERROR = 'Syntax Error';

/**
 * `line L:C: <detail>`, then (for a statement) `Statement: <its text>` as ksqlDB adds it, then the
 * offending line with a caret.
 */
export function syntaxError(
  text: string,
  pos: SourcePosition,
  detail: string,
  token?: string,
  expected?: readonly string[],
  statement?: string,
): ParseError {
  const stmt = statement !== undefined ? `\nStatement: ${statement.length > MAX_STATEMENT ? `${statement.slice(0, MAX_STATEMENT)}...` : statement}` : '';
  const message = `line ${pos.line}:${pos.column}: ${detail}${stmt}\n${caretExcerpt(text, pos)}`;
  return new ParseError(message, pos, text, token, expected);
}

/**
 * An error ksqlDB raises while building the statement rather than parsing it: in its preparation
 * form, without a line and column in the message (the position still points at the token)
 */
export function preparationError(text: string, pos: SourcePosition, detail: string, token?: string, statement?: string): ParseError {
  const stmt = statement !== undefined ? `\nStatement: ${statement.length > MAX_STATEMENT ? `${statement.slice(0, MAX_STATEMENT)}...` : statement}` : '';
  return new ParseError(`Failed to prepare statement: ${detail}${stmt}\n${caretExcerpt(text, pos)}`, pos, text, token);
}
