/**
 * Bounds on nesting. The parser is recursive descent (about ten rules per parenthesis), so deep
 * nesting needs stack, and how much stack the main thread has left depends on what ran before. So:
 * a fixed budget far above practical use, checked on the tokens before parsing and on the tree
 * after it (the planner recurses over expressions too), the same whatever the process did before;
 * and statements nested deeper than the main thread safely takes are parsed on a thread with a
 * large stack (deep-parse.ts).
 */
import type { IToken } from 'chevrotain';
import type { SourcePosition } from '../common/errors.js';
import * as T from './tokens.js';

/** Most levels of nesting a statement may have (SQLite's default expression depth limit is 1000 too). */
export const MAX_NESTING = 1000;
/** Deeper than this, the statement is parsed on the large-stack thread. */
export const MAIN_THREAD_NESTING = 100;

export interface Nesting {
  readonly depth: number;
  /** index of the first token at the greatest depth */
  readonly deepestAt: number;
  /** index of the first token that takes the nesting past MAX_NESTING */
  readonly exceededAt?: number;
}

/**
 * Nesting as the parser's recursion sees it: open brackets, CASE ... END, ARRAY< MAP< STRUCT< in
 * types, runs of prefix operators (NOT, unary - and +) and EXPLAIN EXPLAIN ...
 */
export function tokenNesting(tokens: readonly IToken[]): Nesting {
  let brackets = 0;
  let cases = 0;
  let types = 0;
  let prefixRun = 0;
  let explains = 0;
  let max = 0;
  let deepestAt = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!.tokenType;
    if (t === T.LParen || t === T.LBracket) brackets++;
    else if (t === T.RParen || t === T.RBracket) brackets = Math.max(0, brackets - 1);
    else if (t === T.CASE) cases++;
    else if (t === T.END) cases = Math.max(0, cases - 1);
    else if ((t === T.ARRAY || t === T.MAP || t === T.STRUCT) && tokens[k + 1]?.tokenType === T.Lt) types++;
    else if (t === T.Gt && types > 0) types--;
    else if (t === T.EXPLAIN) explains++;
    prefixRun = t === T.NOT || t === T.Minus || t === T.Plus ? prefixRun + 1 : 0;
    const depth = brackets + cases + types + prefixRun + explains;
    if (depth > max) {
      max = depth;
      deepestAt = k;
    }
    if (depth > MAX_NESTING) return { depth, deepestAt: k, exceededAt: k };
  }
  return { depth: max, deepestAt };
}

/** The position of the first tree node deeper than MAX_NESTING (nodes are objects with a `kind`), if any. */
export function treeTooDeep(root: unknown): SourcePosition | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  let lastPos: SourcePosition | undefined;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const isNode = !Array.isArray(value) && typeof (value as { kind?: unknown }).kind === 'string';
    const d = isNode ? depth + 1 : depth;
    const pos = (value as { pos?: SourcePosition }).pos;
    if (isNode && pos) lastPos = pos;
    if (d > MAX_NESTING) return pos ?? lastPos;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push([child, d]);
    }
  }
  return undefined;
}
