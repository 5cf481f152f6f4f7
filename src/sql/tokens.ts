/**
 * Token types of the ksqlDB dialect. The lexer is hand written (see lexer.ts); these chevrotain
 * token types only name the vocabulary. Non-reserved keywords belong to the `Identifier` category,
 * so wherever the grammar takes an identifier it also takes them, as ksqlDB's `nonReserved` rule does.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

/** Category: anything usable as an identifier (plain, quoted, backquoted, digit-led, non-reserved keyword). */
export const Identifier = createToken({ name: 'Identifier', pattern: Lexer.NA });
/** Category: the time units accepted by windows, joins and function arguments. */
export const TimeUnitToken = createToken({ name: 'TimeUnit', pattern: Lexer.NA });
/** Category: numeric literal tokens. */
export const NumberToken = createToken({ name: 'Number', pattern: Lexer.NA });

export const UnquotedIdentifier = createToken({ name: 'UnquotedIdentifier', pattern: Lexer.NA, categories: [Identifier] });
export const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: Lexer.NA, categories: [Identifier] });
export const BackquotedIdentifier = createToken({ name: 'BackquotedIdentifier', pattern: Lexer.NA, categories: [Identifier] });
export const DigitIdentifier = createToken({ name: 'DigitIdentifier', pattern: Lexer.NA, categories: [Identifier] });

export const StringLiteralToken = createToken({ name: 'String', pattern: Lexer.NA });
export const IntegerValue = createToken({ name: 'IntegerValue', pattern: Lexer.NA, categories: [NumberToken] });
export const DecimalValue = createToken({ name: 'DecimalValue', pattern: Lexer.NA, categories: [NumberToken] });
export const FloatValue = createToken({ name: 'FloatValue', pattern: Lexer.NA, categories: [NumberToken] });

function punct(name: string, label: string): TokenType {
  return createToken({ name, pattern: Lexer.NA, label: `'${label}'` });
}

export const Eq = punct('Eq', '=');
export const Neq = punct('Neq', '<>');
export const Lt = punct('Lt', '<');
export const Lte = punct('Lte', '<=');
export const Gt = punct('Gt', '>');
export const Gte = punct('Gte', '>=');
export const Plus = punct('Plus', '+');
export const Minus = punct('Minus', '-');
export const Asterisk = punct('Asterisk', '*');
export const Slash = punct('Slash', '/');
export const Percent = punct('Percent', '%');
export const ConcatOp = punct('ConcatOp', '||');
export const Assign = punct('Assign', ':=');
export const Arrow = punct('Arrow', '->');
export const LambdaArrow = punct('LambdaArrow', '=>');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const Comma = punct('Comma', ',');
export const Dot = punct('Dot', '.');
export const Semicolon = punct('Semicolon', ';');

/** Every keyword token by its upper-case spelling. */
export const keywordTokens = new Map<string, TokenType>();

function kw(word: string, reserved: boolean, extraCategories: TokenType[] = []): TokenType {
  const categories = reserved ? extraCategories : [Identifier, ...extraCategories];
  const t = createToken({ name: word, pattern: Lexer.NA, categories, label: word });
  keywordTokens.set(word, t);
  return t;
}

// Reserved keywords (ksqlDB's SqlBase.g4 keywords that are not in its nonReserved list).
export const SELECT = kw('SELECT', true);
export const FROM = kw('FROM', true);
export const AS = kw('AS', true);
export const ALL = kw('ALL', true);
export const DISTINCT = kw('DISTINCT', true);
export const WHERE = kw('WHERE', true);
export const WITHIN = kw('WITHIN', true);
export const WINDOW = kw('WINDOW', true);
export const GROUP = kw('GROUP', true);
export const BY = kw('BY', true);
export const HAVING = kw('HAVING', true);
export const LIMIT = kw('LIMIT', true);
export const OR = kw('OR', true);
export const AND = kw('AND', true);
export const IN = kw('IN', true);
export const NOT = kw('NOT', true);
export const EXISTS = kw('EXISTS', true);
export const BETWEEN = kw('BETWEEN', true);
export const LIKE = kw('LIKE', true);
export const IS = kw('IS', true);
export const NULL = kw('NULL', true);
export const TRUE = kw('TRUE', true);
export const FALSE = kw('FALSE', true);
export const MILLISECOND = kw('MILLISECOND', true, [TimeUnitToken]);
export const DAYS = kw('DAYS', true, [TimeUnitToken]);
export const HOURS = kw('HOURS', true, [TimeUnitToken]);
export const MINUTES = kw('MINUTES', true, [TimeUnitToken]);
export const SECONDS = kw('SECONDS', true, [TimeUnitToken]);
export const MILLISECONDS = kw('MILLISECONDS', true, [TimeUnitToken]);
export const TUMBLING = kw('TUMBLING', true);
export const HOPPING = kw('HOPPING', true);
// reserved in ksqlDB, but only ever follows '(' in a window, and sources often have a SIZE column
export const SIZE = kw('SIZE', false);
export const ADVANCE = kw('ADVANCE', true);
export const RETENTION = kw('RETENTION', true);
export const CASE = kw('CASE', true);
export const WHEN = kw('WHEN', true);
export const THEN = kw('THEN', true);
export const ELSE = kw('ELSE', true);
export const END = kw('END', true);
export const JOIN = kw('JOIN', true);
export const FULL = kw('FULL', true);
export const OUTER = kw('OUTER', true);
export const INNER = kw('INNER', true);
export const LEFT = kw('LEFT', true);
export const RIGHT = kw('RIGHT', true);
export const ON = kw('ON', true);
export const WITH = kw('WITH', true);
export const VALUES = kw('VALUES', true);
export const CREATE = kw('CREATE', true);
export const TABLE = kw('TABLE', true);
export const TOPIC = kw('TOPIC', true);
export const STREAM = kw('STREAM', true);
export const STREAMS = kw('STREAMS', true);
export const INSERT = kw('INSERT', true);
export const DELETE = kw('DELETE', true);
export const INTO = kw('INTO', true);
export const DESCRIBE = kw('DESCRIBE', true);
export const EXTENDED = kw('EXTENDED', true);
export const PRINT = kw('PRINT', true);
export const CAST = kw('CAST', true);
export const LIST = kw('LIST', true);
export const TOPICS = kw('TOPICS', true);
export const QUERIES = kw('QUERIES', true);
export const TERMINATE = kw('TERMINATE', true);
export const DROP = kw('DROP', true);
export const SAMPLE = kw('SAMPLE', true);
export const PROPERTIES = kw('PROPERTIES', true);
export const BEGINNING = kw('BEGINNING', true);
export const UNSET = kw('UNSET', true);
export const RUN = kw('RUN', true);
export const SCRIPT = kw('SCRIPT', true);
export const DECIMAL = kw('DECIMAL', true);
export const CONNECTOR = kw('CONNECTOR', true);
export const CONNECTORS = kw('CONNECTORS', true);

// Non-reserved keywords: usable as identifiers.
export const EMIT = kw('EMIT', false);
export const CHANGES = kw('CHANGES', false);
export const FINAL = kw('FINAL', false);
export const ESCAPE = kw('ESCAPE', false);
export const INTERVAL = kw('INTERVAL', false);
export const DAY = kw('DAY', false, [TimeUnitToken]);
export const HOUR = kw('HOUR', false, [TimeUnitToken]);
export const MINUTE = kw('MINUTE', false, [TimeUnitToken]);
export const SECOND = kw('SECOND', false, [TimeUnitToken]);
export const GRACE = kw('GRACE', false);
export const PERIOD = kw('PERIOD', false);
export const PARTITION = kw('PARTITION', false);
export const STRUCT = kw('STRUCT', false);
export const ARRAY = kw('ARRAY', false);
export const MAP = kw('MAP', false);
export const SESSION = kw('SESSION', false);
export const EXPLAIN = kw('EXPLAIN', false);
export const TYPE = kw('TYPE', false);
export const TYPES = kw('TYPES', false);
export const SHOW = kw('SHOW', false);
export const TABLES = kw('TABLES', false);
export const FUNCTIONS = kw('FUNCTIONS', false);
export const FUNCTION = kw('FUNCTION', false);
export const COLUMN = kw('COLUMN', false);
export const SET = kw('SET', false);
export const DEFINE = kw('DEFINE', false);
export const UNDEFINE = kw('UNDEFINE', false);
export const VARIABLES = kw('VARIABLES', false);
export const IF = kw('IF', false);
export const SOURCE = kw('SOURCE', false);
export const SINK = kw('SINK', false);
export const PRIMARY = kw('PRIMARY', false);
export const KEY = kw('KEY', false);
export const REPLACE = kw('REPLACE', false);
export const ASSERT = kw('ASSERT', false);
export const ALTER = kw('ALTER', false);
export const ADD = kw('ADD', false);
export const HEADER = kw('HEADER', false);
export const HEADERS = kw('HEADERS', false);
export const SYSTEM = kw('SYSTEM', false);
export const TIMEOUT = kw('TIMEOUT', false);
export const SCHEMA = kw('SCHEMA', false);
export const SUBJECT = kw('SUBJECT', false);
export const ID = kw('ID', false);
// a type name, and a keyword only because ksqlDB's type parameters take it: VARCHAR(STRING)
export const STRING = kw('STRING', false);
// Newer ksqlDB statements, not keywords in its grammar: kept usable as identifiers.
export const PAUSE = kw('PAUSE', false);
export const RESUME = kw('RESUME', false);
// CLI commands that ksqlDB's CLI accepts in scripts (not ksqlDB keywords, so not reserved)
export const OUTPUT = kw('OUTPUT', false);
export const SPOOL = kw('SPOOL', false);

/** The whole vocabulary, categories first (chevrotain needs every type it may meet). */
export const allTokens: TokenType[] = [
  Identifier,
  TimeUnitToken,
  NumberToken,
  UnquotedIdentifier,
  QuotedIdentifier,
  BackquotedIdentifier,
  DigitIdentifier,
  StringLiteralToken,
  IntegerValue,
  DecimalValue,
  FloatValue,
  Eq, Neq, Lt, Lte, Gt, Gte, Plus, Minus, Asterisk, Slash, Percent, ConcatOp, Assign, Arrow, LambdaArrow,
  LParen, RParen, LBracket, RBracket, Comma, Dot, Semicolon,
  ...keywordTokens.values(),
];

/**
 * Words a printed identifier must be quoted for: ksqlDB's reserved keywords (including those
 * Sluice's grammar does not use, so printed SQL stays valid ksqlDB) plus the literals.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  ...[...keywordTokens.entries()].filter(([, t]) => !(t.CATEGORIES ?? []).includes(Identifier)).map(([w]) => w),
  // ksqlDB keywords the Sluice grammar has no use for, still reserved in ksqlDB
  'SIZE', 'AT', 'YEARS', 'MONTHS', 'QUERY', 'LOAD', 'TO', 'RENAME', 'EXPORT', 'CATALOG', 'NAMESPACE', 'MATERIALIZED', 'VIEW',
]);
