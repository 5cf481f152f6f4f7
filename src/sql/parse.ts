/**
 * Public parsing API: text -> AST. Splits a script into statements at top-level `;`, substitutes
 * `${name}` variables (DEFINE / UNDEFINE in the same script take effect for later statements),
 * and turns every failure into a ParseError naming line:column with a caret excerpt.
 */
import { EOF, type IToken, type TokenType } from 'chevrotain';
import { ParseError, type SourcePosition } from '../common/errors.js';
import type { Expression, ParsedStatement, Statement, TypeNode } from './ast.js';
import { tokenize, tokenPosition, VariableToken } from './lexer.js';
import { SYNTAX_ERROR, positionAt, syntaxError, unexpectedToken } from './parse-error.js';
import { SemanticSyntaxError, sqlParser } from './parser.js';
import * as T from './tokens.js';

export { stripPositions } from './strip-positions.js';

export interface ParseOptions {
  /** variables for `${name}` substitution; not modified (DEFINE works on a copy) */
  readonly variables?: ReadonlyMap<string, string>;
  /** called as each statement is parsed, before a later one may fail (for progress reports) */
  readonly onStatement?: (statement: ParsedStatement) => void;
}

type EntryRule = 'statement' | 'expression' | 'type';

/** Parse every statement of a script. */
export function parseStatements(text: string, options: ParseOptions = {}): ParsedStatement[] {
  const variables = new Variables(options.variables);
  const all = tokenize(text, { allowVariables: true });
  const result: ParsedStatement[] = [];
  let start = 0;
  for (let i = 0; i <= all.length; i++) {
    if (i < all.length && all[i]!.tokenType !== T.Semicolon) continue;
    const semi = all[i];
    if (i > start) {
      let tokens = all.slice(start, i);
      let source = text;
      const first = tokens[0]!;
      const endOffset = semi ? semi.startOffset + 1 : tokens[tokens.length - 1]!.endOffset! + 1;
      let stmtText = text.slice(first.startOffset, endOffset);
      if (needsSubstitution(tokens)) {
        stmtText = variables.substitute(stmtText);
        // re-lex the substituted statement in place, so positions before it stay right
        source = text.slice(0, first.startOffset) + stmtText;
        tokens = tokenize(source, { start: first.startOffset }).filter((t) => t.tokenType !== T.Semicolon);
      }
      const statement = runRule<Statement>('statement', tokens, source, semi);
      const parsed: ParsedStatement = { statement, text: stmtText, pos: tokenPosition(first) };
      result.push(parsed);
      variables.apply(statement);
      options.onStatement?.(parsed);
    }
    start = i + 1;
  }
  return result;
}

/** Parse exactly one statement (a trailing `;` is optional). */
export function parseStatement(text: string, options: ParseOptions = {}): Statement {
  const statements = parseStatements(text, options);
  if (statements.length !== 1) {
    const at = statements.length === 0 ? text.length : statements[1]!.pos.offset;
    const pos = positionAt(text, at);
    throw syntaxError(text, pos, statements.length === 0 ? 'expected a statement, found none' : `expected one statement, found ${statements.length}`);
  }
  return statements[0]!.statement;
}

export function parseExpression(text: string): Expression {
  return runRule<Expression>('expression', tokenize(text), text);
}

export function parseType(text: string): TypeNode {
  return runRule<TypeNode>('type', tokenize(text), text);
}

function needsSubstitution(tokens: readonly IToken[]): boolean {
  for (const t of tokens) {
    if (t.tokenType === VariableToken) return true;
    if ((t.tokenType === T.StringLiteralToken || t.tokenType === T.QuotedIdentifier || t.tokenType === T.BackquotedIdentifier) && t.image.includes('${')) return true;
  }
  return false;
}

/** Variables are case-insensitive: keys are kept upper-cased. */
class Variables {
  private readonly map = new Map<string, string>();
  constructor(initial?: ReadonlyMap<string, string>) {
    if (initial) for (const [k, v] of initial) this.map.set(k.toUpperCase(), v);
  }
  substitute(text: string): string {
    // names that are not defined are left as written; the lexer rejects them outside strings
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_@]*)\}/g, (whole, name: string) => this.map.get(name.toUpperCase()) ?? whole);
  }
  apply(s: Statement): void {
    if (s.kind === 'DefineVariable') this.map.set(s.name.toUpperCase(), s.value);
    else if (s.kind === 'UndefineVariable') this.map.delete(s.name.toUpperCase());
  }
}

/** `terminator` is the `;` after the statement, if any: errors at the end point at it. */
function runRule<R>(rule: EntryRule, tokens: IToken[], text: string, terminator?: IToken): R {
  const parser = sqlParser();
  if (tokens.length === 0) {
    throw syntaxError(text, positionAt(text, text.length), `${SYNTAX_ERROR}: unexpected end of input, expected ${rule === 'type' ? 'a type' : `an ${rule}`}`);
  }
  parser.input = tokens;
  let result: R;
  try {
    result = parser[rule]() as R;
  } catch (e) {
    if (e instanceof SemanticSyntaxError) {
      throw syntaxError(text, tokenPosition(e.token), e.message, e.token.image);
    }
    if (e instanceof RangeError) {
      // a pathological nesting depth overflows the stack: still just bad input
      throw syntaxError(text, tokenPosition(tokens[0]!), 'statement is nested too deeply');
    }
    throw e;
  }
  const error = parser.errors[0];
  if (error) {
    throw toParseError(rule, error, tokens, text, terminator);
  }
  return result;
}

interface RecognitionError {
  readonly name: string;
  readonly message: string;
  readonly token: IToken;
}

function toParseError(rule: EntryRule, error: RecognitionError, tokens: IToken[], text: string, terminator?: IToken): ParseError {
  let tok: IToken | undefined = error.token;
  const atEnd = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
  let index = atEnd ? tokens.length : tokens.indexOf(tok);
  if (index < 0) index = tokens.findIndex((t) => t.startOffset === tok!.startOffset);
  if (index < 0) index = tokens.length;
  if (atEnd) tok = terminator;
  const pos: SourcePosition = tok ? tokenPosition(tok) : endPosition(tokens, text);
  const expected = index <= MAX_ASSIST_TOKENS ? expectedAt(rule, tokens.slice(0, index)) : expectedFromMessage(error.message);
  if (error.name === 'NotAllInputParsedException') expected.push('end of statement');
  return unexpectedToken(text, pos, tok?.image, tidyExpected(expected));
}

function endPosition(tokens: IToken[], text: string): SourcePosition {
  const last = tokens[tokens.length - 1];
  return positionAt(text, last ? last.endOffset! + 1 : text.length);
}

/** Content assist re-walks the grammar over the preceding tokens; past this it gets slow. */
const MAX_ASSIST_TOKENS = 2000;

/** The expected tokens named in a chevrotain error message (cheap, less precise). */
function expectedFromMessage(message: string): string[] {
  const single = /-->\s*(.+?)\s*<--/.exec(message);
  if (single && /^Expecting -->/.test(message)) return [displayLabel(single[1]!)];
  const out: string[] = [];
  for (const m of message.matchAll(/^\s*\d+\.\s*\[([^\],]+)/gm)) out.push(displayLabel(m[1]!.trim()));
  return out;
}

function displayLabel(label: string): string {
  const t = T.allTokens.find((x) => x.LABEL === label || x.name === label);
  return t ? displayName(t) : label;
}

/** Display names of the token types the grammar accepts after `preceding`. */
function expectedAt(rule: EntryRule, preceding: IToken[]): string[] {
  let types: TokenType[];
  try {
    types = sqlParser().computeContentAssist(rule, preceding).map((p) => p.nextTokenType);
  } catch {
    return [];
  }
  const seen = new Set<TokenType>();
  for (const t of types) seen.add(t);
  return [...seen].map(displayName);
}

function displayName(t: TokenType): string {
  switch (t) {
    case T.Identifier:
      return 'identifier';
    case T.StringLiteralToken:
      return 'string';
    case T.IntegerValue:
      return 'integer';
    case T.NumberToken:
      return 'number';
    case T.TimeUnitToken:
      return 'time unit';
    default:
      return typeof t.LABEL === 'string' ? t.LABEL : t.name;
  }
}

/** Words that all start an expression: shown as the single word "expression". */
const EXPRESSION_STARTS = new Set(['identifier', 'NULL', 'TRUE', 'FALSE', 'string', 'number', 'CASE', 'CAST', 'ARRAY', 'MAP', 'STRUCT', "'('", "'-'", "'+'", 'NOT', 'time unit']);
/** Tokens that continue an expression: shown as the single word "operator" when several are possible. */
const OPERATORS = new Set(["'('", "'.'", "'['", "'->'", "'*'", "'/'", "'%'", "'+'", "'-'", "'||'", "'='", "'<>'", "'<'", "'<='", "'>'", "'>='", 'AND', 'OR', 'IS', 'NOT', 'BETWEEN', 'IN', 'LIKE']);
const MAX_EXPECTED = 10;

function tidyExpected(expected: string[]): string[] {
  let out = expected;
  if (out.includes('identifier') && out.includes('CASE') && out.includes('string')) {
    out = ['expression', ...out.filter((e) => !EXPRESSION_STARTS.has(e))];
  }
  if (out.filter((e) => OPERATORS.has(e)).length >= 3) {
    out = [...out.filter((e) => !OPERATORS.has(e)), 'operator'];
  }
  out = [...new Set(out)];
  if (out.length > MAX_EXPECTED) out = [...out.slice(0, MAX_EXPECTED), '...'];
  return out;
}
