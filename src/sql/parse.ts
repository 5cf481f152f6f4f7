/**
 * Public parsing API: text -> AST. Splits a script into statements at top-level `;`, substitutes
 * `${name}` variables (DEFINE / UNDEFINE in the same script take effect for later statements),
 * and turns every failure into a ParseError naming line:column with a caret excerpt.
 */
import type { IToken } from 'chevrotain';
import type { SourcePosition } from '../common/errors.js';
import type { Expression, ParsedStatement, Statement, TypeNode } from './ast.js';
import { tokenize, tokenPosition, VariableToken } from './lexer.js';
import { type DeepParseRequest, parseOnLargeStack } from './deep-parse.js';
import { MAIN_THREAD_NESTING, MAX_NESTING, type Nesting, tokenNesting, treeTooDeep } from './nesting.js';
import { SYNTAX_ERROR, positionAt, preparationError, syntaxError } from './parse-error.js';
import { SemanticSyntaxError, sqlParser } from './parser.js';
import { describeSyntaxError } from './syntax-error.js';
import * as T from './tokens.js';
import { formatTokenSet, vocabularyNames } from './vocabulary.js';

export { stripPositions } from './strip-positions.js';

export interface ParseOptions {
  /** variables for `${name}` substitution; not modified (DEFINE works on a copy) */
  readonly variables?: ReadonlyMap<string, string>;
  /** called as each statement is parsed, before a later one may fail (for progress reports) */
  readonly onStatement?: (statement: ParsedStatement) => void;
  /** also accept the test runner's ASSERT VALUES / NULL VALUES / STREAM / TABLE statements */
  readonly testRunnerStatements?: boolean;
}

type EntryRule = 'statement' | 'testStatement' | 'expression' | 'type';

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
      const statement = runRule<Statement>(options.testRunnerStatements ? 'testStatement' : 'statement', tokens, source, semi, stmtText);
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

/**
 * `terminator` is the `;` after the statement, if any: errors at the end point at it.
 * `statement` is the statement's text, shown in syntax errors as ksqlDB does (`Statement: ...`).
 */
function runRule<R>(rule: EntryRule, tokens: IToken[], text: string, terminator?: IToken, statement?: string, onLargeStack = false): R {
  if (tokens.length === 0) {
    const starts = vocabularyNames(sqlParser().computeContentAssist(rule, []).map((p) => p.nextTokenType));
    throw syntaxError(text, positionAt(text, text.length), `${SYNTAX_ERROR}\nExpecting ${formatTokenSet(starts)}`, '', starts, statement);
  }
  const nesting = tokenNesting(tokens);
  if (nesting.exceededAt !== undefined) {
    const at = tokens[nesting.exceededAt]!;
    throw syntaxError(text, tokenPosition(at), `${SYNTAX_ERROR}\nstatement nested too deeply: more than ${MAX_NESTING} levels`, at.image, undefined, statement);
  }
  const elsewhere = (): R => {
    const last = tokens[tokens.length - 1]!;
    return parseOnLargeStack({ rule, text, start: tokens[0]!.startOffset, end: last.endOffset! + 1, terminator: terminator?.startOffset, statement }) as R;
  };
  let result: R;
  if (nesting.depth > MAIN_THREAD_NESTING && !onLargeStack) {
    result = elsewhere();
  } else {
    try {
      result = parseTokens<R>(rule, tokens, text, terminator, statement, nesting, onLargeStack);
    } catch (e) {
      // this thread had less stack left than the statement needs: the answer must not depend on that
      if (e instanceof StackExhausted || (e instanceof RangeError && !onLargeStack)) result = elsewhere();
      else throw e;
    }
  }
  const deep = treeTooDeep(result);
  if (deep) throw syntaxError(text, deep, `${SYNTAX_ERROR}\nexpression nested too deeply: more than ${MAX_NESTING} levels`, undefined, undefined, statement);
  return result;
}

/** The large-stack thread's entry (deep-parse-worker.ts): lexes the statement again and parses it there. */
export function parseInThisThread(request: DeepParseRequest): unknown {
  const { rule, text, start, end, terminator, statement } = request;
  const tokens = tokenize(text.slice(0, end), { start }).filter((t) => t.tokenType !== T.Semicolon);
  const semi = terminator === undefined ? undefined : tokenize(text.slice(0, terminator + 1), { start: terminator })[0];
  return runRule(rule, tokens, text, semi, statement, true);
}

class StackExhausted extends Error {}

function parseTokens<R>(
  rule: EntryRule,
  tokens: IToken[],
  text: string,
  terminator: IToken | undefined,
  statement: string | undefined,
  nesting: Nesting,
  onLargeStack: boolean,
): R {
  const parser = sqlParser();
  parser.input = tokens;
  let result: R;
  try {
    result = parser[rule]() as R;
  } catch (e) {
    if (e instanceof SemanticSyntaxError) {
      if (e.preparation) throw preparationError(text, tokenPosition(e.token), e.message, e.token.image, statement);
      throw syntaxError(text, tokenPosition(e.token), e.message, e.token.image, undefined, statement);
    }
    if (e instanceof RangeError) {
      if (!onLargeStack) throw new StackExhausted();
      // the nesting budget should prevent this; still just bad input, pointed at its deepest point
      const at = tokens[nesting.deepestAt]!;
      throw syntaxError(text, tokenPosition(at), `${SYNTAX_ERROR}\nstatement nested too deeply`, at.image, undefined, statement);
    }
    throw e;
  }
  const error = parser.errors[0];
  if (error) {
    const report = describeSyntaxError(rule, error, tokens, text);
    const tok = tokens[report.at] ?? terminator;
    const pos: SourcePosition = tok ? tokenPosition(tok) : endPosition(tokens, text);
    throw syntaxError(text, pos, `${SYNTAX_ERROR}\n${report.detail}`, tok?.image ?? '', report.expected, statement);
  }
  return result;
}

function endPosition(tokens: IToken[], text: string): SourcePosition {
  const last = tokens[tokens.length - 1];
  return positionAt(text, last ? last.endOffset! + 1 : text.length);
}
