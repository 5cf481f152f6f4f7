/** An error for a person: where (file:line:column), what, and the offending line with a caret. */
import type { SluiceError } from '../index.js';

interface StatementLike {
  readonly text: string;
  readonly pos: { readonly line: number; readonly column: number };
}

export function describeError(e: SluiceError, file: string, statement: StatementLike): string {
  if (e.phase === 'parse') return `${file}:${e.message}`;
  const pos = (e as { position?: { line: number; column: number } }).position;
  // positions inside a statement are relative to the whole file text
  const line = pos?.line ?? statement.pos.line;
  const column = pos?.column ?? statement.pos.column;
  return `${file}:${line}:${column}: ${e.message}\n  in: ${statement.text.split('\n')[0]}`;
}
