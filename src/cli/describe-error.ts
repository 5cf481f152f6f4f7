/** An error for a person: where (file:line:column), what, and the offending line with a caret. */
import { LocatedError } from '../index.js';
import type { SluiceError } from '../index.js';

interface StatementLike {
  readonly text: string;
  readonly pos: { readonly line: number; readonly column: number };
}

export function describeError(e: SluiceError, file: string, statement: StatementLike): string {
  if (e.phase === 'parse') return `${file}:${e.message}`;
  // positions inside a statement are relative to the whole file text
  if (e instanceof LocatedError && e.position) {
    const caret = e.message.slice(e.message.indexOf(e.detail) + e.detail.length);
    return `${file}:${e.position.line}:${e.position.column}: ${e.detail}${caret}`;
  }
  const pos = (e as { position?: { line: number; column: number } }).position;
  const line = pos?.line ?? statement.pos.line;
  const column = pos?.column ?? statement.pos.column;
  return `${file}:${line}:${column}: ${e.message}\n  in: ${statement.text.split('\n')[0]}`;
}
