/**
 * AST -> SQL text. The output re-parses to the same AST (ignoring positions): identifiers are
 * backquoted when they are not plain upper-case names or are reserved, and sub-expressions are
 * parenthesised only where precedence requires.
 */
import type * as A from './ast.js';
import { RESERVED_WORDS } from './tokens.js';

const PLAIN_IDENTIFIER = /^[A-Z_][A-Z0-9_@]*$/;

/** Names that parse as something else in expression position (constructors, time units). */
const SPECIAL_IN_EXPRESSIONS = new Set(['ARRAY', 'MAP', 'STRUCT', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);
/** Type names that would read as a built-in type if printed bare. */
const BUILTIN_TYPE_NAMES = new Set(['BOOLEAN', 'INT', 'INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'VARCHAR', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP', 'ARRAY', 'MAP', 'STRUCT', 'DECIMAL']);

export function quoteIdentifier(name: string): string {
  if (PLAIN_IDENTIFIER.test(name) && !RESERVED_WORDS.has(name)) return name;
  return backquote(name);
}

function backquote(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function exprName(name: string): string {
  return SPECIAL_IN_EXPRESSIONS.has(name) ? backquote(name) : quoteIdentifier(name);
}

export function quoteString(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}

// ---------------------------------------------------------------------------------------------
// Types

type TypeKind = A.TypeNode['kind'];
const typePrinters: { [K in TypeKind]: (t: Extract<A.TypeNode, { kind: K }>) => string } = {
  PrimitiveType: (t) => t.name,
  DecimalType: (t) => `DECIMAL(${t.precision}, ${t.scale})`,
  ArrayType: (t) => `ARRAY<${formatType(t.element)}>`,
  MapType: (t) => `MAP<${formatType(t.key)}, ${formatType(t.value)}>`,
  StructType: (t) => `STRUCT<${t.fields.map((f) => `${quoteIdentifier(f.name)} ${formatType(f.type)}`).join(', ')}>`,
  NamedType: (t) => (BUILTIN_TYPE_NAMES.has(t.name) ? backquote(t.name) : quoteIdentifier(t.name)),
};

export function formatType(t: A.TypeNode): string {
  return (typePrinters[t.kind] as (t: A.TypeNode) => string)(t);
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Binding strength, loosest first; a child binding looser than its slot needs parentheses. */
const enum Prec {
  Lambda = 0,
  Or = 1,
  And = 2,
  Not = 3,
  Predicate = 4,
  Additive = 5,
  Multiplicative = 6,
  Unary = 7,
  Primary = 8,
}

function isNumeric(e: A.Expression): e is A.IntegerLiteral | A.DecimalLiteral | A.DoubleLiteral {
  return e.kind === 'IntegerLiteral' || e.kind === 'DecimalLiteral' || e.kind === 'DoubleLiteral';
}

const precedence: { [K in A.ExpressionKind]: (e: Extract<A.Expression, { kind: K }>) => Prec } = {
  NullLiteral: () => Prec.Primary,
  BooleanLiteral: () => Prec.Primary,
  // a negative literal prints with its sign, so it binds like unary minus
  IntegerLiteral: (e) => (e.text.startsWith('-') ? Prec.Unary : Prec.Primary),
  DecimalLiteral: (e) => (e.text.startsWith('-') ? Prec.Unary : Prec.Primary),
  DoubleLiteral: (e) => (e.text.startsWith('-') ? Prec.Unary : Prec.Primary),
  StringLiteral: () => Prec.Primary,
  ColumnRef: () => Prec.Primary,
  Dereference: () => Prec.Primary,
  Subscript: () => Prec.Primary,
  FunctionCall: () => Prec.Primary,
  IntervalUnit: () => Prec.Primary,
  Lambda: () => Prec.Lambda,
  Negate: () => Prec.Unary,
  Not: () => Prec.Not,
  Arithmetic: (e) => (e.op === '+' || e.op === '-' ? Prec.Additive : Prec.Multiplicative),
  Concat: () => Prec.Additive,
  Comparison: () => Prec.Predicate,
  DistinctFrom: () => Prec.Predicate,
  Logical: (e) => (e.op === 'OR' ? Prec.Or : Prec.And),
  IsNull: () => Prec.Predicate,
  Like: () => Prec.Predicate,
  Between: () => Prec.Predicate,
  InList: () => Prec.Predicate,
  SearchedCase: () => Prec.Primary,
  SimpleCase: () => Prec.Primary,
  Cast: () => Prec.Primary,
  ArrayConstructor: () => Prec.Primary,
  MapConstructor: () => Prec.Primary,
  StructConstructor: () => Prec.Primary,
};

function precOf(e: A.Expression): Prec {
  return (precedence[e.kind] as (e: A.Expression) => Prec)(e);
}

/** `e` printed for a slot that needs at least `min` binding strength. */
function sub(e: A.Expression, min: Prec): string {
  const s = formatExpression(e);
  return precOf(e) < min ? `(${s})` : s;
}

const not = (n: boolean) => (n ? 'NOT ' : '');
const list = (es: readonly A.Expression[]) => es.map((e) => sub(e, Prec.Or)).join(', ');
const whens = (ws: readonly A.WhenClause[]) => ws.map((w) => ` WHEN ${sub(w.when, Prec.Or)} THEN ${sub(w.then, Prec.Or)}`).join('');
const elseOf = (e: A.Expression | undefined) => (e ? ` ELSE ${sub(e, Prec.Or)}` : '');

const expressionPrinters: { [K in A.ExpressionKind]: (e: Extract<A.Expression, { kind: K }>) => string } = {
  NullLiteral: () => 'NULL',
  BooleanLiteral: (e) => (e.value ? 'TRUE' : 'FALSE'),
  IntegerLiteral: (e) => e.text,
  DecimalLiteral: (e) => e.text,
  DoubleLiteral: (e) => e.text,
  StringLiteral: (e) => quoteString(e.value),
  ColumnRef: (e) => (e.source !== undefined ? `${quoteIdentifier(e.source)}.${quoteIdentifier(e.name)}` : exprName(e.name)),
  Dereference: (e) => `${sub(e.base, Prec.Primary)}->${quoteIdentifier(e.field)}`,
  Subscript: (e) => `${sub(e.base, Prec.Primary)}[${sub(e.index, Prec.Or)}]`,
  FunctionCall: (e) => {
    const args = e.star ? '*' : (e.distinct ? 'DISTINCT ' : '') + e.args.map((a) => (a.kind === 'Lambda' ? formatExpression(a) : sub(a, Prec.Or))).join(', ');
    return `${exprName(e.name)}(${args})`;
  },
  IntervalUnit: (e) => e.unit,
  Lambda: (e) => {
    const params = e.params.map(quoteIdentifier);
    return `${params.length === 1 ? params[0] : `(${params.join(', ')})`} => ${sub(e.body, Prec.Or)}`;
  },
  Negate: (e) => {
    // -(1) keeps a negated literal apart from a negative literal; never print `--` (a comment)
    const operand = sub(e.operand, Prec.Unary);
    return isNumeric(e.operand) || operand.startsWith('-') ? `-(${formatExpression(e.operand)})` : `-${operand}`;
  },
  Not: (e) => `NOT ${sub(e.operand, Prec.Not)}`,
  Arithmetic: (e) => {
    const p = precOf(e);
    return `${sub(e.left, p)} ${e.op} ${sub(e.right, p + 1)}`;
  },
  Concat: (e) => `${sub(e.left, Prec.Additive)} || ${sub(e.right, Prec.Multiplicative)}`,
  Comparison: (e) => `${sub(e.left, Prec.Additive)} ${e.op} ${sub(e.right, Prec.Additive)}`,
  DistinctFrom: (e) => `${sub(e.left, Prec.Additive)} IS ${not(e.not)}DISTINCT FROM ${sub(e.right, Prec.Additive)}`,
  Logical: (e) => {
    const p = precOf(e);
    return `${sub(e.left, p)} ${e.op} ${sub(e.right, p + 1)}`;
  },
  IsNull: (e) => `${sub(e.operand, Prec.Additive)} IS ${not(e.not)}NULL`,
  Like: (e) =>
    `${sub(e.operand, Prec.Additive)} ${not(e.not)}LIKE ${sub(e.pattern, Prec.Additive)}` + (e.escape !== undefined ? ` ESCAPE ${quoteString(e.escape)}` : ''),
  Between: (e) => `${sub(e.operand, Prec.Additive)} ${not(e.not)}BETWEEN ${sub(e.low, Prec.Additive)} AND ${sub(e.high, Prec.Additive)}`,
  InList: (e) => `${sub(e.operand, Prec.Additive)} ${not(e.not)}IN (${list(e.list)})`,
  SearchedCase: (e) => `CASE${whens(e.whens)}${elseOf(e.else)} END`,
  SimpleCase: (e) => `CASE ${sub(e.operand, Prec.Additive)}${whens(e.whens)}${elseOf(e.else)} END`,
  Cast: (e) => `CAST(${sub(e.operand, Prec.Or)} AS ${formatType(e.type)})`,
  ArrayConstructor: (e) => `ARRAY[${list(e.elements)}]`,
  MapConstructor: (e) => `MAP(${e.entries.map((x) => `${sub(x.key, Prec.Or)} := ${sub(x.value, Prec.Or)}`).join(', ')})`,
  StructConstructor: (e) => `STRUCT(${e.fields.map((f) => `${quoteIdentifier(f.name)} := ${sub(f.value, Prec.Or)}`).join(', ')})`,
};

export function formatExpression(e: A.Expression): string {
  return (expressionPrinters[e.kind] as (e: A.Expression) => string)(e);
}

// ---------------------------------------------------------------------------------------------
// Queries

const duration = (d: A.Duration) => `${d.value} ${d.unit}`;
const sameDuration = (a: A.Duration, b: A.Duration) => a.value === b.value && a.unit === b.unit;

function windowOptions(w: A.WindowOptions): string {
  return (w.retention ? `, RETENTION ${duration(w.retention)}` : '') + (w.grace ? `, GRACE PERIOD ${duration(w.grace)}` : '');
}

const windowPrinters: { [K in A.WindowExpression['kind']]: (w: Extract<A.WindowExpression, { kind: K }>) => string } = {
  TumblingWindow: (w) => `TUMBLING (SIZE ${duration(w.size)}${windowOptions(w)})`,
  HoppingWindow: (w) => `HOPPING (SIZE ${duration(w.size)}, ADVANCE BY ${duration(w.advance)}${windowOptions(w)})`,
  SessionWindow: (w) => `SESSION (${duration(w.gap)}${windowOptions(w)})`,
};

function formatWindow(w: A.WindowExpression): string {
  return (windowPrinters[w.kind] as (w: A.WindowExpression) => string)(w);
}

const selectItemPrinters: { [K in A.SelectItem['kind']]: (s: Extract<A.SelectItem, { kind: K }>) => string } = {
  AllColumns: (s) => (s.source !== undefined ? `${quoteIdentifier(s.source)}.*` : '*'),
  StructAll: (s) => `${sub(s.struct, Prec.Primary)}->*`,
  SingleColumn: (s) => sub(s.expression, Prec.Or) + (s.alias !== undefined ? ` AS ${quoteIdentifier(s.alias)}` : ''),
};

const joinWords: Record<A.JoinType, string> = { INNER: 'INNER JOIN', LEFT: 'LEFT JOIN', RIGHT: 'RIGHT JOIN', FULL: 'FULL JOIN' };

const relationPrinters: { [K in A.Relation['kind']]: (r: Extract<A.Relation, { kind: K }>) => string } = {
  SourceRelation: (r) => quoteIdentifier(r.name) + (r.alias !== undefined ? ` AS ${quoteIdentifier(r.alias)}` : ''),
  JoinRelation: (r) => {
    let within = '';
    if (r.within) {
      const w = r.within;
      within = sameDuration(w.before, w.after) ? ` WITHIN ${duration(w.before)}` : ` WITHIN (${duration(w.before)}, ${duration(w.after)})`;
      if (w.grace) within += ` GRACE PERIOD ${duration(w.grace)}`;
    }
    return `${formatRelation(r.left)} ${joinWords[r.joinType]} ${formatRelation(r.right)}${within} ON ${sub(r.on, Prec.Or)}`;
  },
};

function formatRelation(r: A.Relation): string {
  return (relationPrinters[r.kind] as (r: A.Relation) => string)(r);
}

/** GROUP BY / PARTITION BY items are value expressions: a predicate or logical one needs parentheses. */
function grouping(items: readonly A.Expression[]): string {
  return items.length === 0 ? '()' : items.map((e) => sub(e, Prec.Additive)).join(', ');
}

export function formatQuery(q: A.Query): string {
  let s = 'SELECT ' + q.select.map((i) => (selectItemPrinters[i.kind] as (i: A.SelectItem) => string)(i)).join(', ');
  s += ' FROM ' + formatRelation(q.from);
  if (q.window) s += ' WINDOW ' + formatWindow(q.window);
  if (q.where) s += ' WHERE ' + sub(q.where, Prec.Or);
  if (q.groupBy) s += ' GROUP BY ' + grouping(q.groupBy);
  if (q.partitionBy) s += ' PARTITION BY ' + grouping(q.partitionBy);
  if (q.having) s += ' HAVING ' + sub(q.having, Prec.Or);
  if (q.emit) s += ' EMIT ' + q.emit;
  if (q.limit !== undefined) s += ' LIMIT ' + q.limit;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Statements

function propertyName(name: string): string {
  return quoteIdentifier(name) === name ? name : quoteString(name);
}

function properties(ps: readonly A.Property[]): string {
  return `(${ps.map((p) => `${propertyName(p.name)}=${formatExpression(p.value)}`).join(', ')})`;
}

const withProps = (ps: readonly A.Property[]) => (ps.length > 0 ? ` WITH ${properties(ps)}` : '');
const ifNotExists = (b: boolean) => (b ? 'IF NOT EXISTS ' : '');
const ifExists = (b: boolean) => (b ? 'IF EXISTS ' : '');
const columnNames = (cs: readonly string[] | undefined) => (cs ? ` (${cs.map(quoteIdentifier).join(', ')})` : '');

const constraintText: Record<A.ColumnConstraint, (c: A.ColumnDefinition) => string> = {
  NONE: () => '',
  KEY: () => ' KEY',
  PRIMARY_KEY: () => ' PRIMARY KEY',
  HEADERS: () => ' HEADERS',
  HEADER: (c) => ` HEADER(${quoteString(c.headerKey ?? '')})`,
};

export function formatColumn(c: A.ColumnDefinition): string {
  return `${quoteIdentifier(c.name)} ${formatType(c.type)}${constraintText[c.constraint](c)}`;
}

const columns = (cs: readonly A.ColumnDefinition[]) => (cs.length > 0 ? ` (${cs.map(formatColumn).join(', ')})` : '');

/** Variable names keep their case; anything unusual is backquoted. */
function variableName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_@]*$/.test(name) && !RESERVED_WORDS.has(name.toUpperCase()) ? name : backquote(name);
}

const statementPrinters: { [K in A.StatementKind]: (s: Extract<A.Statement, { kind: K }>) => string } = {
  CreateSource: (s) =>
    `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}${s.isSource ? 'SOURCE ' : ''}${s.sourceType} ${ifNotExists(s.ifNotExists)}` +
    `${quoteIdentifier(s.name)}${columns(s.columns)}${withProps(s.properties)}`,
  CreateAsSelect: (s) =>
    `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}${s.sourceType} ${ifNotExists(s.ifNotExists)}${quoteIdentifier(s.name)}` +
    `${withProps(s.properties)} AS ${formatQuery(s.query)}`,
  CreateSink: (s) => `CREATE SINK ${ifNotExists(s.ifNotExists)}${quoteIdentifier(s.name)} FROM ${quoteIdentifier(s.from)} WITH ${properties(s.properties)}`,
  InsertIntoSelect: (s) => `INSERT INTO ${quoteIdentifier(s.target)}${withProps(s.properties)} ${formatQuery(s.query)}`,
  InsertValues: (s) => `INSERT INTO ${quoteIdentifier(s.target)}${columnNames(s.columns)} VALUES (${list(s.values)})`,
  CreateConnector: (s) => `CREATE ${s.connectorType} CONNECTOR ${ifNotExists(s.ifNotExists)}${quoteIdentifier(s.name)} WITH ${properties(s.properties)}`,
  DropSource: (s) => `DROP ${s.sourceType} ${ifExists(s.ifExists)}${quoteIdentifier(s.name)}${s.deleteTopic ? ' DELETE TOPIC' : ''}`,
  DropType: (s) => `DROP TYPE ${ifExists(s.ifExists)}${quoteIdentifier(s.name)}`,
  DropConnector: (s) => `DROP CONNECTOR ${ifExists(s.ifExists)}${quoteIdentifier(s.name)}`,
  AlterSource: (s) => `ALTER ${s.sourceType} ${quoteIdentifier(s.name)} ${s.addColumns.map((c) => `ADD COLUMN ${formatColumn(c)}`).join(', ')}`,
  CreateType: (s) => `CREATE TYPE ${ifNotExists(s.ifNotExists)}${quoteIdentifier(s.name)} AS ${formatType(s.type)}`,
  Show: (s) => {
    const prefix = s.target === 'TOPICS' && s.all ? 'ALL ' : s.target === 'CONNECTORS' && s.connectorType ? `${s.connectorType} ` : '';
    return `SHOW ${prefix}${s.target}${s.extended ? ' EXTENDED' : ''}`;
  },
  Describe: (s) => {
    const ext = s.extended ? ' EXTENDED' : '';
    if (s.target.kind === 'All') return `DESCRIBE ${s.target.sourceType === 'STREAM' ? 'STREAMS' : 'TABLES'}${ext}`;
    // a source named TABLES would read as DESCRIBE TABLES
    const name = s.target.name === 'TABLES' ? backquote(s.target.name) : quoteIdentifier(s.target.name);
    return `DESCRIBE ${name}${ext}`;
  },
  DescribeFunction: (s) => `DESCRIBE FUNCTION ${quoteIdentifier(s.name)}`,
  DescribeConnector: (s) => `DESCRIBE CONNECTOR ${quoteIdentifier(s.name)}`,
  Explain: (s) => `EXPLAIN ${s.target.kind === 'QueryId' ? quoteIdentifier(s.target.queryId) : formatStatement(s.target.statement)}`,
  Print: (s) =>
    `PRINT ${quoteString(s.topic)}${s.fromBeginning ? ' FROM BEGINNING' : ''}` +
    `${s.interval !== undefined ? ` INTERVAL ${s.interval}` : ''}${s.limit !== undefined ? ` LIMIT ${s.limit}` : ''}`,
  QueryControl: (s) => `${s.action} ${s.queryId === undefined ? 'ALL' : quoteIdentifier(s.queryId)}`,
  SetProperty: (s) => `SET ${quoteString(s.name)} = ${quoteString(s.value)}`,
  UnsetProperty: (s) => `UNSET ${quoteString(s.name)}`,
  AlterSystem: (s) => `ALTER SYSTEM ${quoteString(s.name)} = ${quoteString(s.value)}`,
  DefineVariable: (s) => `DEFINE ${variableName(s.name)} = ${quoteString(s.value)}`,
  UndefineVariable: (s) => `UNDEFINE ${variableName(s.name)}`,
  RunScript: (s) => `RUN SCRIPT ${quoteString(s.path)}`,
  OutputFormat: (s) => `OUTPUT${s.format ? ` FORMAT ${s.format}` : ''}`,
  Spool: (s) => `SPOOL ${s.path === undefined ? 'OFF' : quoteString(s.path)}`,
  AssertTopic: (s) =>
    `ASSERT ${s.exists ? '' : 'NOT EXISTS '}TOPIC ${quoteString(s.topic)}${withProps(s.properties)}${s.timeout ? ` TIMEOUT ${duration(s.timeout)}` : ''}`,
  AssertSchema: (s) =>
    `ASSERT ${s.exists ? '' : 'NOT EXISTS '}SCHEMA${s.subject !== undefined ? ` SUBJECT ${quoteString(s.subject)}` : ''}` +
    `${s.id !== undefined ? ` ID ${s.id}` : ''}${s.timeout ? ` TIMEOUT ${duration(s.timeout)}` : ''}`,
  AssertValues: (s) => `ASSERT VALUES ${quoteIdentifier(s.source)}${columnNames(s.columns)} VALUES (${list(s.values)})`,
  AssertNullValues: (s) => `ASSERT NULL VALUES ${quoteIdentifier(s.source)}${columnNames(s.columns)} KEY (${list(s.values)})`,
  AssertSource: (s) => `ASSERT ${s.sourceType} ${quoteIdentifier(s.name)}${columns(s.columns)}${withProps(s.properties)}`,
  QueryStatement: (s) => formatQuery(s.query),
};

/** One statement as SQL, without the trailing `;`. */
export function formatStatement(s: A.Statement): string {
  return (statementPrinters[s.kind] as (s: A.Statement) => string)(s);
}
