/**
 * Whether text typed at the prompt ends a statement: its last `;` outside quotes and comments is
 * followed only by blanks and comments. Used by the REPL to keep reading lines until `;`.
 */
export function endsStatement(text: string): boolean {
  let complete = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const close = findClose(text, i + 1, c);
      if (close < 0) return false;
      i = close + 1;
      complete = false;
    } else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return false;
      i = close + 2;
    } else {
      if (c === ';') complete = true;
      else if (!/\s/.test(c)) complete = false;
      i++;
    }
  }
  return complete;
}

/** a quote closes at its next occurrence that is not doubled ('' inside a string) */
function findClose(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** Text with only blanks and comments. */
export function isBlank(text: string): boolean {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim() === '';
}
