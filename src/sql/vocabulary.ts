/**
 * The grammar's tokens as ANTLR names them in ksqlDB's SqlBase.g4, so expected-token sets print as
 * ksqlDB prints them (`{',', ')'}`, `{'STRING', INTEGER_VALUE}`): tokens with a literal spelling are
 * quoted, the others go by their symbolic name, and a set is ordered by ANTLR's token numbers
 * (implicit literals first, then the lexer rules in the order the grammar defines them).
 */
import { EOF, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

/** Implicit literal tokens of the grammar (T__0...), in the order they first appear in its rules. */
const IMPLICIT = [T.Semicolon, T.Comma, T.LParen, T.RParen, T.Dot, T.LBracket, T.RBracket, T.STRING];

/** SqlBase.g4's keyword lexer rules, in definition order (words Sluice does not use are skipped). */
const KEYWORD_ORDER = (
  'EMIT CHANGES FINAL SELECT FROM AS ALL DISTINCT WHERE WITHIN WINDOW GROUP BY HAVING LIMIT AT OR AND IN NOT EXISTS BETWEEN ' +
  'LIKE ESCAPE IS NULL TRUE FALSE INTEGER DATE TIME TIMESTAMP INTERVAL YEAR MONTH DAY HOUR MINUTE SECOND MILLISECOND YEARS ' +
  'MONTHS DAYS HOURS MINUTES SECONDS MILLISECONDS ZONE TUMBLING HOPPING SIZE ADVANCE RETENTION GRACE PERIOD CASE WHEN THEN ' +
  'ELSE END JOIN FULL OUTER INNER LEFT RIGHT ON PARTITION STRUCT WITH VALUES CREATE TABLE TOPIC STREAM STREAMS INSERT DELETE ' +
  'INTO DESCRIBE EXTENDED PRINT EXPLAIN ANALYZE TYPE TYPES CAST SHOW LIST TABLES TOPICS QUERY QUERIES TERMINATE LOAD COLUMNS ' +
  'COLUMN PARTITIONS FUNCTIONS FUNCTION DROP TO RENAME ARRAY MAP SET DEFINE UNDEFINE RESET SESSION SAMPLE EXPORT CATALOG ' +
  'PROPERTIES BEGINNING UNSET RUN SCRIPT DECIMAL KEY CONNECTOR CONNECTORS SINK SOURCE NAMESPACE MATERIALIZED VIEW PRIMARY ' +
  'REPLACE ASSERT ADD ALTER VARIABLES PLUGINS HEADERS HEADER SYSTEM TIMEOUT SCHEMA SUBJECT ID IF'
).split(' ');

/** Symbolic tokens after the keywords, with their ANTLR names. */
const SYMBOLIC: readonly [TokenType, string][] = [
  [T.Eq, "'='"],
  [T.Neq, "'<>'"],
  [T.Lt, "'<'"],
  [T.Lte, "'<='"],
  [T.Gt, "'>'"],
  [T.Gte, "'>='"],
  [T.Plus, "'+'"],
  [T.Minus, "'-'"],
  [T.Asterisk, "'*'"],
  [T.Slash, "'/'"],
  [T.Percent, "'%'"],
  [T.ConcatOp, "'||'"],
  [T.Assign, "':='"],
  [T.Arrow, "'->'"],
  [T.LambdaArrow, "'=>'"],
  [T.StringLiteralToken, 'STRING'],
  [T.IntegerValue, 'INTEGER_VALUE'],
  [T.DecimalValue, 'DECIMAL_VALUE'],
  [T.FloatValue, 'FLOATING_POINT_VALUE'],
  [T.UnquotedIdentifier, 'IDENTIFIER'],
  [T.DigitIdentifier, 'DIGIT_IDENTIFIER'],
  [T.QuotedIdentifier, 'QUOTED_IDENTIFIER'],
  [T.BackquotedIdentifier, 'BACKQUOTED_IDENTIFIER'],
];

interface Entry {
  readonly rank: number;
  readonly name: string;
}

const entries = new Map<TokenType, Entry>();
let rank = 0;
for (const t of IMPLICIT) entries.set(t, { rank: rank++, name: `'${t === T.STRING ? 'STRING' : String(t.LABEL).slice(1, -1)}'` });
for (const word of KEYWORD_ORDER) {
  const t = T.keywordTokens.get(word);
  if (t && !entries.has(t)) entries.set(t, { rank: rank++, name: `'${word}'` });
}
// keywords of Sluice's own (CLI commands, newer statements) come after ksqlDB's
for (const [word, t] of T.keywordTokens) if (!entries.has(t)) entries.set(t, { rank: rank++, name: `'${word}'` });
for (const [t, name] of SYMBOLIC) entries.set(t, { rank: rank++, name });
/** the end of a statement: ksqlDB's grammar expects the `;` there */
const END: Entry = { rank: 0, name: "';'" };

/** The concrete token types a (possibly category) token type stands for. */
function concrete(t: TokenType): TokenType[] {
  if (entries.has(t) || t === EOF) return [t];
  return T.allTokens.filter((x) => x !== t && (x.CATEGORIES ?? []).includes(t) && entries.has(x));
}

/** ANTLR's display names of `types`, categories expanded, deduplicated and in ANTLR's order. */
export function vocabularyNames(types: Iterable<TokenType>): string[] {
  const seen = new Set<Entry>();
  for (const t of types) for (const c of concrete(t)) seen.add(c === EOF ? END : entries.get(c)!);
  return [...seen].sort((a, b) => a.rank - b.rank).map((e) => e.name);
}

/** ANTLR's `IntervalSet.toString(vocabulary)`: one name bare, several in braces. */
export function formatTokenSet(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `{${names.join(', ')}}`;
}

/** ANTLR's `getTokenErrorDisplay`: the token's text quoted, with whitespace escaped ('<EOF>' at the end). */
export function tokenDisplay(image: string | undefined): string {
  if (image === undefined) return "'<EOF>'";
  return `'${escapeWhitespace(image)}'`;
}

export function escapeWhitespace(s: string): string {
  return s.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}
