/** An error for a person: where (file:line:column), what, and the offending line with a caret. */
import { caretExcerpt, LocatedError, ParseError } from '../index.js';
import type { SluiceError, SourcePosition } from '../index.js';

interface StatementLike {
  readonly text: string;
  readonly pos: SourcePosition;
}

/**
 * `file` is empty for text typed at the prompt. Positions inside a statement are relative to the
 * whole text the statement came from (`source`), which is what the caret is drawn from.
 */
export function describeError(e: SluiceError, file: string, statement: StatementLike | undefined, source?: string): string {
  const where = file ? `${file}:` : '';
  // parse errors already name line:column and show the caret
  if (e instanceof ParseError) return `${where}${e.message}`;
  // located plan and type errors carry their caret already: name the place the way files do
  if (e instanceof LocatedError && e.position) {
    const caret = e.message.slice(e.message.indexOf(e.detail) + e.detail.length);
    return `${where}${file ? '' : 'line '}${e.position.line}:${e.position.column}: ${e.detail}${caret}`;
  }
  const pos = (e as { position?: SourcePosition }).position;
  if (!statement) return `${where}${e.message}`;
  const at = pos ?? statement.pos;
  const head = `${where}${file ? `${at.line}:${at.column}: ` : `line ${at.line}:${at.column}: `}${e.message}`;
  if (source !== undefined && at.offset !== undefined && at.offset <= source.length) return `${head}\n${caretExcerpt(source, at)}`;
  return `${head}\n  in: ${statement.text.split('\n')[0]}`;
}
