/**
 * Inputs and checks for fuzzing the parser and the planner (fuzz.test.ts runs a short seeded round
 * in `npm test`, scripts/fuzz.ts a longer one): statements generated from the grammar, and real
 * statements of the conformance corpus mutated (tokens deleted, duplicated or swapped, truncation,
 * random characters, huge literals, very deep parentheses, unterminated strings and comments).
 * Every input must end in a result or a SluiceError within a second.
 */
import fc from 'fast-check';
import { isSluiceError, ParseError } from '../../src/common/errors.js';
import type { Engine } from '../../src/engine/engine.js';
import { tokenize } from '../../src/sql/lexer.js';
import { parseStatements } from '../../src/sql/parse.js';
import { loadCorpus } from './conformance-corpus.js';

/** Longest a parse (or a parse and plan) may take. */
export const MAX_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Statements from the grammar

const name = fc.constantFrom('a', 'b', 'ID', 'V', 'x1', '`Quoted Col`', '"dq"', 'EMIT', 'KEY', 'SIZE');
const column = fc.oneof(name, fc.constantFrom('s.a', 't.ID', 'S.V'));
const source = fc.constantFrom('s', 't', 'S2', '`my-src`', 'EMIT');
const functionName = fc.constantFrom('ABS', 'CONCAT', 'COUNT', 'SUM', 'LEN', 'UCASE', 'COALESCE', 'TRANSFORM', 'FILTER', 'NOPE');
const stringLiteral = fc.string({ maxLength: 12, unit: 'grapheme' }).map((s) => `'${s.replace(/'/g, "''")}'`);
const literal = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc.constantFrom('NULL', 'TRUE', 'FALSE', '1.5', '.5', '1e10', '0.000'),
  stringLiteral,
);

const { type } = fc.letrec<{ type: string }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constantFrom('INT', 'INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'VARCHAR', 'BOOLEAN', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP', 'VARCHAR(10)', 'DECIMAL(4, 2)', 'MYTYPE'),
    tie('type').map((t) => `ARRAY<${t}>`),
    tie('type').map((t) => `MAP<STRING, ${t}>`),
    fc.array(fc.tuple(name, tie('type')), { maxLength: 3 }).map((fs) => `STRUCT<${fs.map(([n, t]) => `${n} ${t}`).join(', ')}>`),
  ),
}));

const binaryOperator = fc.constantFrom('+', '-', '*', '/', '%', '||', '=', '<>', '!=', '<', '<=', '>', '>=', 'AND', 'OR', 'IS DISTINCT FROM');

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    literal,
    column,
    fc.tuple(tie('expr'), binaryOperator, tie('expr')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    tie('expr').map((e) => `(${e})`),
    tie('expr').map((e) => `(NOT ${e})`),
    tie('expr').map((e) => `-(${e})`),
    fc.tuple(functionName, fc.array(tie('expr'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([w, t, e]) => `CASE WHEN ${w} THEN ${t} ELSE ${e} END`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([o, w, t]) => `CASE ${o} WHEN ${w} THEN ${t} END`),
    fc.tuple(tie('expr'), type).map(([e, t]) => `CAST(${e} AS ${t})`),
    fc.array(tie('expr'), { maxLength: 3 }).map((a) => `ARRAY[${a.join(', ')}]`),
    fc.array(fc.tuple(tie('expr'), tie('expr')), { maxLength: 2 }).map((a) => `MAP(${a.map(([k, v]) => `${k} := ${v}`).join(', ')})`),
    fc.array(fc.tuple(name, tie('expr')), { maxLength: 2 }).map((a) => `STRUCT(${a.map(([k, v]) => `${k} := ${v}`).join(', ')})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, i]) => `(${a})[${i}]`),
    fc.tuple(tie('expr'), name).map(([a, f]) => `(${a})->${f}`),
    tie('expr').map((e) => `(${e} IS NOT NULL)`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, l, h]) => `(${a} BETWEEN ${l} AND ${h})`),
    fc.tuple(tie('expr'), fc.array(tie('expr'), { minLength: 1, maxLength: 3 })).map(([a, l]) => `(${a} IN (${l.join(', ')}))`),
    fc.tuple(tie('expr'), stringLiteral).map(([a, p]) => `(${a} LIKE ${p})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, e]) => `TRANSFORM(${a}, x => ${e})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, e]) => `REDUCE(${a}, 0, (acc, x) => ${e})`),
  ),
}));

const selectItem = fc.oneof(fc.constant('*'), expr, fc.tuple(expr, name).map(([e, a]) => `${e} AS ${a}`));
const windowClause = fc.constantFrom('', ' WINDOW TUMBLING (SIZE 10 SECONDS)', ' WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 10 SECONDS, GRACE PERIOD 0 SECONDS)', ' WINDOW SESSION (5 MINUTES)');
const joinClause = fc.oneof(
  fc.constant(''),
  fc.tuple(fc.constantFrom('JOIN', 'LEFT JOIN', 'FULL OUTER JOIN', 'INNER JOIN'), source, fc.constantFrom('', ' WITHIN 1 HOUR', ' WITHIN (1 SECOND, 2 SECONDS)'), expr).map(
    ([j, s, w, on]) => ` ${j} ${s}${w} ON ${on}`,
  ),
);

const query = fc
  .tuple(
    fc.array(selectItem, { minLength: 1, maxLength: 4 }),
    source,
    joinClause,
    windowClause,
    fc.option(expr, { nil: undefined }),
    fc.option(fc.array(expr, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    fc.option(fc.array(expr, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    fc.option(expr, { nil: undefined }),
    fc.constantFrom('', ' EMIT CHANGES', ' EMIT FINAL'),
    fc.option(fc.nat(100), { nil: undefined }),
  )
  .map(
    ([items, from, join, window, where, groupBy, partitionBy, having, emit, limit]) =>
      `SELECT ${items.join(', ')} FROM ${from}${join}${window}` +
      (where !== undefined ? ` WHERE ${where}` : '') +
      (groupBy ? ` GROUP BY ${groupBy.join(', ')}` : '') +
      (partitionBy ? ` PARTITION BY ${partitionBy.join(', ')}` : '') +
      (having !== undefined ? ` HAVING ${having}` : '') +
      emit +
      (limit !== undefined ? ` LIMIT ${limit}` : ''),
  );

const columnDefinition = fc
  .tuple(name, type, fc.constantFrom('', ' KEY', ' PRIMARY KEY', ' HEADERS', " HEADER('h')"))
  .map(([n, t, c]) => `${n} ${t}${c}`);
const withClause = fc
  .tuple(fc.constantFrom('JSON', 'AVRO', 'DELIMITED', 'KAFKA', 'PROTOBUF', 'NOPE'), fc.integer({ min: -1, max: 4 }))
  .map(([f, p]) => ` WITH (kafka_topic='fz_topic', value_format='${f}', partitions=${p})`);

/** Statements the grammar describes (most of them valid syntax, many invalid for the planner). */
export const grammarStatement: fc.Arbitrary<string> = fc.oneof(
  query.map((q) => `${q};`),
  fc.tuple(fc.constantFrom('STREAM', 'TABLE'), source, fc.array(columnDefinition, { minLength: 1, maxLength: 4 }), withClause).map(
    ([k, n, cols, w]) => `CREATE ${k} ${n} (${cols.join(', ')})${w};`,
  ),
  fc.tuple(fc.constantFrom('STREAM', 'TABLE'), source, fc.constantFrom('', " WITH (kafka_topic='fz_out')"), query).map(([k, n, w, q]) => `CREATE ${k} ${n}${w} AS ${q};`),
  fc.tuple(source, fc.array(expr, { minLength: 1, maxLength: 3 })).map(([s, vs]) => `INSERT INTO ${s} VALUES (${vs.join(', ')});`),
  fc.tuple(source, query).map(([s, q]) => `INSERT INTO ${s} ${q};`),
  fc.tuple(fc.constantFrom('STREAM', 'TABLE'), source, fc.boolean()).map(([k, s, d]) => `DROP ${k} IF EXISTS ${s}${d ? ' DELETE TOPIC' : ''};`),
  fc.tuple(name, type).map(([n, t]) => `CREATE TYPE ${n} AS ${t};`),
  fc.constantFrom('SHOW STREAMS;', 'SHOW TABLES EXTENDED;', 'LIST TOPICS;', 'SHOW QUERIES;', 'DESCRIBE s;', 'DESCRIBE STREAMS EXTENDED;', "SET 'auto.offset.reset'='earliest';", 'TERMINATE ALL;'),
  expr.map((e) => `SELECT ${e} FROM s WHERE ${e};`),
);

// ---------------------------------------------------------------------------------------------
// Mutations of real statements

let corpusStatements: string[] | undefined;

/** The conformance corpus's statements (a few built-in ones when the shared folder is absent). */
export function corpus(): string[] {
  corpusStatements ??= (() => {
    const loaded = loadCorpus(true) ?? [];
    const all = [...new Set([...loaded.map((c) => c.sql), ...(loadCorpus(false) ?? []).map((c) => c.sql)])];
    return all.length > 0
      ? all
      : [
          "CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON');",
          'CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id EMIT CHANGES;',
          "SELECT a, b + 1 AS c, CASE WHEN x > 2 THEN 'y' END FROM s WHERE x IN (1, 2) EMIT CHANGES;",
        ];
  })();
  return corpusStatements;
}

/** The token boundaries of `sql` ([start, end) offsets), or none when it does not lex. */
function tokenSpans(sql: string): [number, number][] {
  try {
    return tokenize(sql, { allowVariables: true }).map((t) => [t.startOffset, t.endOffset! + 1]);
  } catch {
    return [];
  }
}

const BEFORE_VALUE = new Set([',', 'SELECT', '(', '=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||', 'WHERE', 'AND', 'OR', 'BY', '[', 'THEN', 'ELSE', 'WHEN', 'ON', 'FROM', 'JOIN', 'NOT', ':=']);

/** Tokens in a place that takes a value or a source name: a literal or a name (not a function name). */
function valuePositions(s: string, spans: [number, number][]): [number, number][] {
  return spans.filter(([a, b], k) => {
    const text = s.slice(a, b);
    const prev = k > 0 ? s.slice(...spans[k - 1]!).toUpperCase() : '';
    const next = k + 1 < spans.length ? s.slice(...spans[k + 1]!) : '';
    const value = /^('.*'|\d[\w.+-]*|\.\d+|[A-Za-z_][\w@]*|`[^`]*`|"[^"]*")$/s.test(text);
    return value && BEFORE_VALUE.has(prev) && next !== '(' && next !== '.';
  });
}

type Mutation = (sql: string, spans: [number, number][], r: { at: number; n: number; text: string }) => string;

const pick = <T>(xs: readonly T[], at: number): T => xs[at % xs.length]!;

const MUTATIONS: Record<string, Mutation> = {
  deleteToken: (s, spans, r) => {
    const [a, b] = pick(spans, r.at);
    return s.slice(0, a) + s.slice(b);
  },
  duplicateToken: (s, spans, r) => {
    const [a, b] = pick(spans, r.at);
    return s.slice(0, b) + ' ' + s.slice(a, b) + s.slice(b);
  },
  swapTokens: (s, spans, r) => {
    if (spans.length < 2) return s;
    const k = r.at % (spans.length - 1);
    const [a1, b1] = spans[k]!;
    const [a2, b2] = spans[k + 1]!;
    return s.slice(0, a1) + s.slice(a2, b2) + s.slice(b1, a2) + s.slice(a1, b1) + s.slice(b2);
  },
  truncate: (s, _spans, r) => s.slice(0, r.at % (s.length + 1)),
  randomCharacters: (s, _spans, r) => {
    const at = r.at % (s.length + 1);
    return s.slice(0, at) + r.text + s.slice(at);
  },
  hugeNumber: (s, spans, r) => {
    const [a] = pick(spans, r.at);
    return s.slice(0, a) + '9'.repeat(20_000 + r.n) + ' ' + s.slice(a);
  },
  hugeString: (s, spans, r) => {
    const [a, b] = pick(spans, r.at);
    return s.slice(0, a) + `'${'x'.repeat(1_000_000 + r.n)}'` + s.slice(b);
  },
  hugeIdentifier: (s, spans, r) => {
    const [a, b] = pick(spans, r.at);
    return s.slice(0, a) + 'c'.repeat(100_000) + s.slice(b);
  },
  deepParentheses: (s, spans, r) => {
    const [a, b] = pick(spans, r.at);
    const depth = [10_000, 1_001, 1_000, 200, 120][r.n % 5]!;
    return s.slice(0, a) + '('.repeat(depth) + s.slice(a, b) + ')'.repeat(r.n % 2 === 0 ? depth : depth - 1) + s.slice(b);
  },
  unclosedParentheses: (s, spans, r) => {
    const [a] = pick(spans, r.at);
    return s.slice(0, a) + '('.repeat(10_000) + s.slice(a);
  },
  unterminatedString: (s, _spans, r) => {
    const at = r.at % (s.length + 1);
    return s.slice(0, at) + "'" + s.slice(at);
  },
  unterminatedComment: (s, _spans, r) => {
    const at = r.at % (s.length + 1);
    return s.slice(0, at) + (r.n % 2 === 0 ? '/*' : '--') + s.slice(at);
  },
  unterminatedQuotedIdentifier: (s, _spans, r) => {
    const at = r.at % (s.length + 1);
    return s.slice(0, at) + (r.n % 2 === 0 ? '`' : '"') + s.slice(at);
  },
  replaceIdentifier: (s, spans, r) => {
    const targets = valuePositions(s, spans);
    if (targets.length === 0) return s;
    const [a, b] = pick(targets, r.at);
    const words = targets.map(([c, d]) => s.slice(c, d)).filter((w) => /^[A-Za-z_][\w@]*$/.test(w));
    return s.slice(0, a) + pick([...words, 'ROWTIME', 'ROWKEY', 'WINDOWSTART', 'ROWPARTITION', 'NOPE'], r.n) + s.slice(b);
  },
  replaceLiteral: (s, spans, r) => {
    const targets = valuePositions(s, spans);
    if (targets.length === 0) return s;
    const [a, b] = pick(targets, r.at);
    return s.slice(0, a) + pick(['1', "'x'", 'NULL', 'TRUE', '1.5', '-9223372036854775809', 'ARRAY[1]', "MAP('a' := 1)", 'STRUCT(A := 1)', 'CAST(NULL AS STRING)'], r.n) + s.slice(b);
  },
  keywordInserted: (s, spans, r) => {
    const [a] = pick(spans, r.at);
    return s.slice(0, a) + pick(['SELECT ', 'FROM ', ', ', '( ', ') ', 'AND ', 'CASE ', 'END ', ':= ', '=> ', '-> ', '[ ', '; ', 'EMIT ', 'WINDOW ', 'NOT ', 'EXPLAIN '], r.n) + s.slice(a);
  },
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

const mutationSteps = fc.array(
  fc.record({
    mutation: fc.constantFrom(...MUTATION_NAMES),
    at: fc.nat(),
    n: fc.nat(1000),
    text: fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }),
  }),
  { minLength: 1, maxLength: 2 },
);

type MutationStep = { mutation: string; at: number; n: number; text: string };

function mutate(sql: string, steps: readonly MutationStep[]): string {
  for (const step of steps) {
    const spans = tokenSpans(sql);
    if (spans.length === 0 && step.mutation !== 'truncate' && step.mutation !== 'randomCharacters') continue;
    sql = MUTATIONS[step.mutation]!(sql, spans, step);
  }
  return sql;
}

/** A corpus statement with one or two mutations applied. */
export const mutatedStatement: fc.Arbitrary<{ sql: string; mutations: string[] }> = fc
  .tuple(fc.nat(), mutationSteps)
  .map(([which, steps]) => ({ sql: mutate(pick(corpus(), which), steps), mutations: steps.map((s) => s.mutation) }));

let cases: string[][] | undefined;

/** Valid corpus cases whose last statement starts a query (CREATE ... AS SELECT, INSERT INTO ... SELECT). */
export function queryCases(): string[][] {
  cases ??= (() => {
    const byCase = new Map<string, string[]>();
    for (const c of loadCorpus(true) ?? []) {
      const key = `${c.file}::${c.test}`;
      const list = byCase.get(key) ?? [];
      if (!list.includes(c.sql)) list.push(c.sql);
      byCase.set(key, list);
    }
    return [...byCase.values()].filter((l) => l.length >= 2 && /\bAS\s+SELECT\b|^\s*INSERT\s+INTO\s+\S+\s+SELECT\b/i.test(l[l.length - 1]!) && !l.some((s) => s.includes('{')));
  })();
  return cases;
}

/** A corpus case (setup statements, then its query statement mutated). */
/** Mostly mutations that keep the syntax, so the statement reaches the planner. */
const plannerMutationSteps = fc.oneof(
  { arbitrary: fc.array(fc.record({ mutation: fc.constantFrom('replaceIdentifier', 'replaceLiteral', 'swapTokens'), at: fc.nat(), n: fc.nat(1000), text: fc.constant('') }), { minLength: 1, maxLength: 2 }), weight: 4 },
  { arbitrary: mutationSteps, weight: 1 },
);

export const mutatedQueryCase: fc.Arbitrary<{ setup: string[]; sql: string }> = fc.tuple(fc.nat(), plannerMutationSteps).map(([which, steps]) => {
  const all = queryCases();
  if (all.length === 0) return { setup: SETUP, sql: mutate('CREATE STREAM o AS SELECT ID, a FROM s;', steps) };
  const c = pick(all, which);
  return { setup: c.slice(0, -1), sql: mutate(c[c.length - 1]!, steps) };
});

/** Expressions over the setup's columns (a INT, b STRING, V DOUBLE, x1 ARRAY<INT>), mostly well typed. */
const { typedExpr } = fc.letrec<{ typedExpr: string }>((tie) => ({
  typedExpr: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constantFrom('a', 'V', 'ID', '1', '2.5', 'NULL', 'LEN(b)', 'x1[1]', 'ARRAY_LENGTH(x1)'),
    fc.tuple(tie('typedExpr'), fc.constantFrom('+', '-', '*', '/', '%'), tie('typedExpr')).map(([l, o, r]) => `(${l} ${o} ${r})`),
    fc.tuple(tie('typedExpr'), tie('typedExpr')).map(([l, r]) => `CASE WHEN ${l} > ${r} THEN ${l} ELSE ${r} END`),
    tie('typedExpr').map((e) => `ABS(${e})`),
    tie('typedExpr').map((e) => `CAST(${e} AS BIGINT)`),
    tie('typedExpr').map((e) => `COALESCE(${e}, 0)`),
    tie('typedExpr').map((e) => `ARRAY_MAX(TRANSFORM(x1, y => y + ${e}))`),
  ),
}));
const typedPredicate = fc
  .tuple(typedExpr, fc.constantFrom('=', '<>', '<', '>=', 'IS DISTINCT FROM'), typedExpr)
  .map(([l, o, r]) => `${l} ${o} ${r}`)
  .chain((p) => fc.constantFrom(p, `NOT (${p})`, `${p} AND b LIKE 'x%'`, `${p} OR b IS NULL`));

/** Queries the planner plans (EXPLAIN plans without running anything); many valid, the rest rejected. */
export const generatedQueryToPlan: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.array(typedExpr, { minLength: 1, maxLength: 3 }), fc.option(typedPredicate, { nil: undefined })).map(
    ([items, where]) => `CREATE STREAM FZ_OUT AS SELECT ID, ${items.map((e, i) => `${e} AS C${i}`).join(', ')} FROM s${where ? ` WHERE ${where}` : ''};`,
  ),
  fc.tuple(fc.constantFrom('SUM', 'MAX', 'MIN', 'AVG', 'COLLECT_LIST', 'LATEST_BY_OFFSET'), typedExpr, windowClause, fc.option(typedPredicate, { nil: undefined })).map(
    ([f, e, w, having]) => `CREATE TABLE FZ_AGG AS SELECT ID, COUNT(*) AS N, ${f}(${e}) AS M FROM s${w} GROUP BY ID${having ? ` HAVING ${having.replace(/\ba\b/g, 'COUNT(*)')}` : ''};`,
  ),
  fc.tuple(typedExpr, typedPredicate).map(([e, where]) => {
    const qualified = (x: string) => x.replace(/(?<![.\w])(a|V|ID|x1|b)\b/g, 's.$1');
    return `CREATE STREAM FZ_JOIN AS SELECT s.ID, ${qualified(e)} AS C, t.b AS TB FROM s LEFT JOIN t ON s.ID = t.ID WHERE ${qualified(where)};`;
  }),
  query.map((q) => `CREATE STREAM FZ_OUT AS ${q};`),
);

// ---------------------------------------------------------------------------------------------
// Checks

export type Outcome = 'parsed' | 'ParseError' | 'SluiceError';

/** Parses `sql`: fails (throws an assertion-style Error) on anything but a result or a good ParseError in time. */
export function checkParse(sql: string): Outcome {
  const outcome = parseOnce(sql);
  // the machine is shared: a slow parse is timed once more before it counts as slow
  if (outcome.ms > MAX_MS && parseOnce(sql).ms > MAX_MS) throw new Error(`parse took ${outcome.ms.toFixed(0)} ms for ${show(sql)}`);
  return outcome.outcome;
}

function parseOnce(sql: string): { outcome: Outcome; ms: number } {
  const started = performance.now();
  let outcome: Outcome;
  try {
    parseStatements(sql);
    outcome = 'parsed';
  } catch (e) {
    if (!(e instanceof ParseError)) throw new Error(`parse threw ${describe(e)} for ${show(sql)}`);
    const pos = e.position;
    if (!pos || pos.offset < 0 || pos.offset > sql.length || pos.line < 1 || pos.column < 1) throw new Error(`ParseError without a valid position for ${show(sql)}: ${e.message}`);
    if (!/^line \d+:\d+: /.test(e.message)) throw new Error(`ParseError message without its place for ${show(sql)}: ${e.message}`);
    outcome = 'ParseError';
  }
  return { outcome, ms: performance.now() - started };
}

/** Sources, types, queries and topics: what a failed statement must leave as it was. */
export async function engineState(engine: Engine): Promise<string> {
  return JSON.stringify({
    sources: engine.catalog
      .listSources()
      .map((s) => s.name)
      .sort(),
    types: engine.catalog
      .listTypes()
      .map(([n]) => n)
      .sort(),
    queries: engine.queryIds().sort(),
    topics: (await engine.log.listTopics()).sort(),
  });
}

/**
 * Parses and plans `sql` through the engine (as EXPLAIN, which plans without running anything):
 * fails on anything but a result or a SluiceError in time, or on any change to the engine's state.
 */
export async function checkPlan(engine: Engine, sql: string): Promise<Outcome> {
  const before = await engineState(engine);
  const started = performance.now();
  let outcome: Outcome;
  try {
    await engine.execute(`EXPLAIN ${sql}`);
    outcome = 'parsed';
  } catch (e) {
    if (!isSluiceError(e)) throw new Error(`EXPLAIN threw ${describe(e)} for ${show(sql)}`);
    outcome = e instanceof ParseError ? 'ParseError' : 'SluiceError';
  }
  const ms = performance.now() - started;
  if (ms > MAX_MS) throw new Error(`parse and plan took ${ms.toFixed(0)} ms for ${show(sql)}`);
  const after = await engineState(engine);
  if (after !== before) throw new Error(`EXPLAIN changed the engine's state for ${show(sql)}: ${before} -> ${after}`);
  return outcome;
}

/**
 * Executes `sql` (a DDL statement): a failure must be a SluiceError and leave the state as it was.
 * A success may change it (and is undone by the caller's next fresh engine if need be).
 */
export async function checkExecute(engine: Engine, sql: string): Promise<Outcome> {
  const before = await engineState(engine);
  try {
    await engine.execute(sql);
    return 'parsed';
  } catch (e) {
    if (!isSluiceError(e)) throw new Error(`execute threw ${describe(e)} for ${show(sql)}`);
    const after = await engineState(engine);
    if (after !== before) throw new Error(`a failed statement changed the engine's state for ${show(sql)}: ${before} -> ${after}`);
    return e instanceof ParseError ? 'ParseError' : 'SluiceError';
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message.split('\n')[0]}\n${e.stack ?? ''}` : String(e);
}

function show(sql: string): string {
  return JSON.stringify(sql.length > 300 ? `${sql.slice(0, 150)}...${sql.slice(-100)} (${sql.length} chars)` : sql);
}

/** Statements that set up the sources the generated statements name. */
export const SETUP = [
  "CREATE STREAM s (ID INT KEY, a INT, b STRING, V DOUBLE, x1 ARRAY<INT>, EMIT STRING) WITH (kafka_topic='fz_s', partitions=1, value_format='JSON');",
  "CREATE TABLE t (ID INT PRIMARY KEY, a INT, b STRING) WITH (kafka_topic='fz_t', partitions=1, value_format='JSON');",
];
