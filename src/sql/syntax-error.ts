/**
 * Describes a chevrotain recognition error the way ksqlDB's ANTLR 4 parser words it
 * (DefaultErrorStrategy with ksqlDB's overrides), after `line L:C: Syntax Error`:
 *
 *   extraneous input 'X' expecting {...}   the offending token is one too many (the next one fits)
 *   missing ')' at 'X'                     one token is missing before X
 *   Syntax error at or near 'X' at line L:C   ANTLR's "no viable alternative": the tokens before X start
 *                                          something valid, but no alternative goes on with X
 *   Expecting {...}                        ksqlDB's wording of ANTLR's "mismatched input 'X' expecting {...}"
 *
 * The expected set is ANTLR's, not the longest one: ANTLR leaves optional parts that cannot take X
 * (a column constraint, an alias, ...) and reports what the first required place expects. From
 * chevrotain's content assist (every possible next token, with the rule stack it is expected in)
 * that is the tokens expected closest to the root of the rule stack the last token was consumed in.
 */
import { EOF, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { sqlParser } from './parser.js';
import * as T from './tokens.js';
import { escapeWhitespace, formatTokenSet, tokenDisplay, vocabularyNames } from './vocabulary.js';

export type EntryRule = 'statement' | 'testStatement' | 'expression' | 'type';

export interface RecognitionError {
  readonly name: string;
  readonly message: string;
  readonly token: IToken;
}

export interface SyntaxErrorReport {
  /** the ANTLR-worded detail (after "Syntax Error\n") */
  readonly detail: string;
  /** index into the tokens of the token the error is reported at (tokens.length: at the end) */
  readonly at: number;
  /** ANTLR display names of the expected tokens */
  readonly expected: string[];
}

/**
 * Content assist re-walks the grammar over the preceding tokens, and its cost grows with their
 * number times the nesting depth (every open rule is copied along each path). Past this budget the
 * cheaper expectation chevrotain's own error names is used.
 */
const ASSIST_BUDGET = 6000;

/** a stand-in for the end of the statement in expected sets */
const END: TokenType = EOF;

export function describeSyntaxError(rule: EntryRule, error: RecognitionError, tokens: IToken[], text: string): SyntaxErrorReport {
  const tok = error.token;
  const atEnd = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
  let i = atEnd ? tokens.length : tokens.indexOf(tok);
  if (i < 0) i = tokens.findIndex((t) => t.startOffset === tok.startOffset);
  if (i < 0) i = tokens.length;
  const x = tokens[i];
  const next = tokens[i + 1];
  const cheap = withinBudget(tokens, i);

  if (error.name === 'NotAllInputParsedException') {
    // the statement could end before X: ANTLR's `singleStatement: statement ';'` wants the ';'
    const expected = vocabularyNames([END]);
    if (next === undefined) return { detail: `extraneous input ${tokenDisplay(x?.image)} expecting ${formatTokenSet(expected)}`, at: i, expected };
    if (x && startsStatement(x)) return { detail: `missing ${formatTokenSet(expected)} at ${tokenDisplay(x.image)}`, at: i, expected };
    return { detail: `Expecting ${formatTokenSet(expected)}`, at: i, expected };
  }

  let expectedTypes: TokenType[];
  if (cheap) {
    const paths = assist(rule, tokens.slice(0, i));
    if (x && paths.some((p) => tokenMatcher(x, p.nextTokenType))) {
      // X may come here, but no alternative goes on past it (more lookahead than one token)
      return noViableAlternative(rule, tokens, i, text);
    }
    expectedTypes = narrow(paths, ruleStackAt(rule, tokens, i));
  } else {
    expectedTypes = expectedFromMessage(error.message);
  }
  if (expectedTypes.length === 0) expectedTypes = expectedFromMessage(error.message);
  const expected = vocabularyNames(expectedTypes);
  const set = formatTokenSet(expected);
  if (x === undefined) return { detail: `Expecting ${set}`, at: i, expected };
  const fits = (t: IToken | undefined) => (t === undefined ? expectedTypes.includes(END) : expectedTypes.some((e) => tokenMatcher(t, e)));
  if (next !== undefined ? fits(next) : expectedTypes.includes(END)) {
    return { detail: `extraneous input ${tokenDisplay(x.image)} expecting ${set}`, at: i, expected };
  }
  if (error.name === 'MismatchedTokenException' && expectedTypes.length === 1 && expectedTypes[0] !== END && parsesPastWithInserted(rule, tokens, i, expectedTypes[0]!)) {
    return { detail: `missing ${set} at ${tokenDisplay(x.image)}`, at: i, expected };
  }
  return { detail: `Expecting ${set}`, at: i, expected };
}

function withinBudget(tokens: IToken[], end: number): boolean {
  if (end > ASSIST_BUDGET) return false;
  let depth = 0;
  let max = 0;
  for (let k = 0; k < end; k++) {
    const t = tokens[k]!.image;
    if (t === '(' || t === '[') max = Math.max(max, ++depth);
    else if (t === ')' || t === ']') depth--;
  }
  return end * (max + 1) <= ASSIST_BUDGET;
}

function assist(rule: EntryRule, preceding: IToken[]) {
  try {
    return sqlParser().computeContentAssist(rule, preceding);
  } catch {
    return [];
  }
}

/** The rule stack at which the token before `i` is consumed ([] at the start). */
function ruleStackAt(rule: EntryRule, tokens: IToken[], i: number): string[] {
  if (i === 0) return [];
  const parser = sqlParser();
  parser.captureToken = tokens[i - 1];
  parser.capturedStack = undefined;
  try {
    parser.input = tokens.slice(0, i);
    parser[rule]();
  } catch {
    // only the captured stack matters
  } finally {
    parser.captureToken = undefined;
  }
  return parser.capturedStack ?? [];
}

/** ANTLR's expected set: the suggestions expected nearest to the root of the stack `at`. */
function narrow(paths: ReturnType<typeof assist>, at: string[]): TokenType[] {
  let min = Infinity;
  const levels = paths.map((p) => {
    let c = 0;
    while (c < at.length && c < p.ruleStack.length && p.ruleStack[c] === at[c]) c++;
    min = Math.min(min, c);
    return c;
  });
  return [...new Set(paths.filter((_, k) => levels[k] === min).map((p) => p.nextTokenType))];
}

function noViableAlternative(rule: EntryRule, tokens: IToken[], i: number, text: string): SyntaxErrorReport {
  // the offending token is the first one no path can take (ANTLR's prediction stops there)
  let j = i + 1;
  while (j < tokens.length && j < i + 4) {
    const t = tokens[j]!;
    if (!assist(rule, tokens.slice(0, j)).some((p) => tokenMatcher(t, p.nextTokenType))) break;
    j++;
  }
  // ksqlDB's SyntaxErrorValidator rewords ANTLR's "no viable alternative at input '...'" so
  // that it names the offending token alone, with its position
  const offending = tokens[j];
  const where = offending ? `${offending.startLine}:${offending.startColumn}` : endPosition(tokens, text);
  return { detail: `Syntax error at or near '${offending ? offending.image : '<EOF>'}' at line ${where}`, at: j, expected: [] };
}

let statementStarts: TokenType[] | undefined;

function startsStatement(t: IToken): boolean {
  statementStarts ??= assist('statement', []).map((p) => p.nextTokenType);
  return statementStarts.some((s) => tokenMatcher(t, s));
}

/** Whether putting one `type` token before token `i` lets the parse take token `i`. */
function parsesPastWithInserted(rule: EntryRule, tokens: IToken[], i: number, type: TokenType): boolean {
  const x = tokens[i]!;
  const fake: IToken = { ...x, image: '', tokenType: type, tokenTypeIdx: type.tokenTypeIdx! };
  const parser = sqlParser();
  parser.input = [...tokens.slice(0, i), fake, ...tokens.slice(i)];
  try {
    parser[rule]();
  } catch {
    return false;
  }
  const e = parser.errors[0];
  if (!e) return true;
  const at = e.token.tokenType === EOF ? Infinity : parser.input.indexOf(e.token);
  return at < 0 || at > i + 1;
}

/** The expected tokens named in a chevrotain error message (cheap, for inputs past the budget). */
function expectedFromMessage(message: string): TokenType[] {
  const labels: string[] = [];
  const single = /^Expecting (?:token of type )?-->\s*(.+?)\s*<--/.exec(message);
  if (single) labels.push(single[1]!);
  for (const m of message.matchAll(/^\s*\d+\.\s*\[([^\],]+)/gm)) labels.push(m[1]!.trim());
  const out: TokenType[] = [];
  for (const label of labels) {
    const t = label === 'EOF' ? END : T.allTokens.find((x) => x.LABEL === label || x.name === label);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

function endPosition(tokens: IToken[], text: string): string {
  const last = tokens[tokens.length - 1];
  if (!last) return '1:1';
  const before = text.slice(0, last.endOffset! + 1);
  const line = before.split('\n').length;
  return `${line}:${before.length - before.lastIndexOf('\n')}`;
}
