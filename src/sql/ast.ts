/**
 * The Sluice SQL AST: every node is a plain object with a readonly `kind`, so dispatchers can be
 * `Record<Kind, Handler>` and a missing case fails to compile. Identifiers are stored as their final
 * names: unquoted ones upper-cased, quoted ones exactly as written. Every node may carry `pos`, the
 * position of its first token; positions are ignored when ASTs are compared.
 */
import type { SourcePosition } from '../common/errors.js';

export interface Node {
  readonly pos?: SourcePosition;
}

// ---------------------------------------------------------------------------------------------
// Types as written (resolved to SqlType by the catalog, which knows custom type names)

export type PrimitiveTypeName =
  | 'BOOLEAN'
  | 'INTEGER'
  | 'BIGINT'
  | 'DOUBLE'
  | 'STRING'
  | 'BYTES'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP';

export type TypeNode = PrimitiveTypeNode | DecimalTypeNode | ArrayTypeNode | MapTypeNode | StructTypeNode | NamedTypeNode;

/** INT and VARCHAR are parsed to INTEGER and STRING. */
export interface PrimitiveTypeNode extends Node { readonly kind: 'PrimitiveType'; readonly name: PrimitiveTypeName }
export interface DecimalTypeNode extends Node { readonly kind: 'DecimalType'; readonly precision: number; readonly scale: number }
export interface ArrayTypeNode extends Node { readonly kind: 'ArrayType'; readonly element: TypeNode }
export interface MapTypeNode extends Node { readonly kind: 'MapType'; readonly key: TypeNode; readonly value: TypeNode }
export interface StructTypeNode extends Node {
  readonly kind: 'StructType';
  readonly fields: readonly { readonly name: string; readonly type: TypeNode }[];
}
/** A type registered with CREATE TYPE. */
export interface NamedTypeNode extends Node { readonly kind: 'NamedType'; readonly name: string }

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expression =
  | NullLiteral
  | BooleanLiteral
  | IntegerLiteral
  | DecimalLiteral
  | DoubleLiteral
  | StringLiteral
  | ColumnRef
  | Dereference
  | Subscript
  | FunctionCall
  | IntervalUnitArg
  | Lambda
  | Negate
  | Not
  | Arithmetic
  | Concat
  | Comparison
  | DistinctFrom
  | Logical
  | IsNull
  | Like
  | Between
  | InList
  | SearchedCase
  | SimpleCase
  | Cast
  | ArrayConstructor
  | MapConstructor
  | StructConstructor;

export type ExpressionKind = Expression['kind'];

export interface NullLiteral extends Node { readonly kind: 'NullLiteral' }
export interface BooleanLiteral extends Node { readonly kind: 'BooleanLiteral'; readonly value: boolean }
/** An integer literal; `text` holds the digits (INTEGER when it fits 32 bits, else BIGINT). */
export interface IntegerLiteral extends Node { readonly kind: 'IntegerLiteral'; readonly text: string }
/** A literal with a decimal point and no exponent, e.g. `1.50`: DECIMAL in ksqlDB. */
export interface DecimalLiteral extends Node { readonly kind: 'DecimalLiteral'; readonly text: string }
/** A literal with an exponent, e.g. `1.5E3`: DOUBLE. */
export interface DoubleLiteral extends Node { readonly kind: 'DoubleLiteral'; readonly text: string }
/** `value` is the unescaped string ('' already turned into '). */
export interface StringLiteral extends Node { readonly kind: 'StringLiteral'; readonly value: string }

/**
 * A column, or a lambda parameter (the type checker tells them apart), optionally qualified
 * by a source name or alias: `s.col`.
 */
export interface ColumnRef extends Node { readonly kind: 'ColumnRef'; readonly source?: string; readonly name: string }
/** `base->field` */
export interface Dereference extends Node { readonly kind: 'Dereference'; readonly base: Expression; readonly field: string }
/** `base[index]` */
export interface Subscript extends Node { readonly kind: 'Subscript'; readonly base: Expression; readonly index: Expression }
/**
 * A function call. `name` is upper-cased unless quoted. `COUNT(*)` has `star: true` and no args.
 * `distinct` is `COUNT(DISTINCT x)`-style.
 */
export interface FunctionCall extends Node {
  readonly kind: 'FunctionCall';
  readonly name: string;
  readonly args: readonly Expression[];
  readonly distinct: boolean;
  readonly star: boolean;
}
/** A time unit passed as a function argument: `TIMESTAMPADD(SECONDS, 5, ts)`. */
export interface IntervalUnitArg extends Node { readonly kind: 'IntervalUnit'; readonly unit: TimeUnit }
/** `x => body` or `(x, y) => body` */
export interface Lambda extends Node { readonly kind: 'Lambda'; readonly params: readonly string[]; readonly body: Expression }
/** Unary minus; unary plus is dropped by the parser. */
export interface Negate extends Node { readonly kind: 'Negate'; readonly operand: Expression }
export interface Not extends Node { readonly kind: 'Not'; readonly operand: Expression }
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export interface Arithmetic extends Node {
  readonly kind: 'Arithmetic';
  readonly op: ArithmeticOperator;
  readonly left: Expression;
  readonly right: Expression;
}
/** `a || b` */
export interface Concat extends Node { readonly kind: 'Concat'; readonly left: Expression; readonly right: Expression }
/** `!=` is parsed to `<>`. */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export interface Comparison extends Node {
  readonly kind: 'Comparison';
  readonly op: ComparisonOperator;
  readonly left: Expression;
  readonly right: Expression;
}
/** `a IS [NOT] DISTINCT FROM b` */
export interface DistinctFrom extends Node {
  readonly kind: 'DistinctFrom';
  readonly not: boolean;
  readonly left: Expression;
  readonly right: Expression;
}
export interface Logical extends Node {
  readonly kind: 'Logical';
  readonly op: 'AND' | 'OR';
  readonly left: Expression;
  readonly right: Expression;
}
/** `x IS [NOT] NULL` */
export interface IsNull extends Node { readonly kind: 'IsNull'; readonly not: boolean; readonly operand: Expression }
/** `x [NOT] LIKE pattern [ESCAPE 'c']` */
export interface Like extends Node {
  readonly kind: 'Like';
  readonly not: boolean;
  readonly operand: Expression;
  readonly pattern: Expression;
  readonly escape?: string;
}
export interface Between extends Node {
  readonly kind: 'Between';
  readonly not: boolean;
  readonly operand: Expression;
  readonly low: Expression;
  readonly high: Expression;
}
export interface InList extends Node {
  readonly kind: 'InList';
  readonly not: boolean;
  readonly operand: Expression;
  readonly list: readonly Expression[];
}
export interface WhenClause { readonly when: Expression; readonly then: Expression }
/** `CASE WHEN c THEN v ... [ELSE e] END` */
export interface SearchedCase extends Node {
  readonly kind: 'SearchedCase';
  readonly whens: readonly WhenClause[];
  readonly else?: Expression;
}
/** `CASE x WHEN v THEN r ... [ELSE e] END` */
export interface SimpleCase extends Node {
  readonly kind: 'SimpleCase';
  readonly operand: Expression;
  readonly whens: readonly WhenClause[];
  readonly else?: Expression;
}
export interface Cast extends Node { readonly kind: 'Cast'; readonly operand: Expression; readonly type: TypeNode }
/** `ARRAY[a, b]` */
export interface ArrayConstructor extends Node { readonly kind: 'ArrayConstructor'; readonly elements: readonly Expression[] }
/** `MAP(k := v, ...)` */
export interface MapConstructor extends Node {
  readonly kind: 'MapConstructor';
  readonly entries: readonly { readonly key: Expression; readonly value: Expression }[];
}
/** `STRUCT(name := v, ...)` */
export interface StructConstructor extends Node {
  readonly kind: 'StructConstructor';
  readonly fields: readonly { readonly name: string; readonly value: Expression }[];
}

// ---------------------------------------------------------------------------------------------
// Durations and windows

/** Plural and singular forms are both accepted and normalised to the plural. */
export type TimeUnit = 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
export interface Duration extends Node { readonly kind: 'Duration'; readonly value: number; readonly unit: TimeUnit }

export type WindowExpression = TumblingWindow | HoppingWindow | SessionWindow;
export interface WindowOptions {
  readonly retention?: Duration;
  readonly grace?: Duration;
}
export interface TumblingWindow extends Node, WindowOptions { readonly kind: 'TumblingWindow'; readonly size: Duration }
export interface HoppingWindow extends Node, WindowOptions {
  readonly kind: 'HoppingWindow';
  readonly size: Duration;
  readonly advance: Duration;
}
export interface SessionWindow extends Node, WindowOptions { readonly kind: 'SessionWindow'; readonly gap: Duration }

// ---------------------------------------------------------------------------------------------
// Queries

export type SelectItem = AllColumns | StructAll | SingleColumn;
/** `*` or `alias.*` */
export interface AllColumns extends Node { readonly kind: 'AllColumns'; readonly source?: string }
/** `expr->*` */
export interface StructAll extends Node { readonly kind: 'StructAll'; readonly struct: Expression }
export interface SingleColumn extends Node { readonly kind: 'SingleColumn'; readonly expression: Expression; readonly alias?: string }

export type Relation = SourceRelation | JoinRelation;
export interface SourceRelation extends Node { readonly kind: 'SourceRelation'; readonly name: string; readonly alias?: string }
export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
/** `WITHIN 1 HOUR` has before = after; `WITHIN (1 HOUR, 2 HOURS)` gives both. */
export interface JoinWindow extends Node {
  readonly kind: 'JoinWindow';
  readonly before: Duration;
  readonly after: Duration;
  readonly grace?: Duration;
}
/** N-way joins nest to the left: `(a JOIN b) JOIN c`. */
export interface JoinRelation extends Node {
  readonly kind: 'JoinRelation';
  readonly joinType: JoinType;
  readonly left: Relation;
  readonly right: SourceRelation;
  readonly within?: JoinWindow;
  readonly on: Expression;
}

export interface Query extends Node {
  readonly kind: 'Query';
  readonly select: readonly SelectItem[];
  readonly from: Relation;
  readonly window?: WindowExpression;
  readonly where?: Expression;
  readonly groupBy?: readonly Expression[];
  readonly partitionBy?: readonly Expression[];
  readonly having?: Expression;
  readonly emit?: 'CHANGES' | 'FINAL';
  readonly limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Statements

/** `name = literal` inside `WITH (...)`; names are upper-cased (property names ignore case). */
export interface Property extends Node {
  readonly kind: 'Property';
  readonly name: string;
  readonly value: NullLiteral | BooleanLiteral | IntegerLiteral | DecimalLiteral | DoubleLiteral | StringLiteral;
}

export type ColumnConstraint = 'NONE' | 'KEY' | 'PRIMARY_KEY' | 'HEADERS' | 'HEADER';
export interface ColumnDefinition extends Node {
  readonly kind: 'ColumnDefinition';
  readonly name: string;
  readonly type: TypeNode;
  readonly constraint: ColumnConstraint;
  /** for `HEADER('key')` */
  readonly headerKey?: string;
}

export type SourceType = 'STREAM' | 'TABLE';

export type Statement =
  | CreateSource
  | CreateAsSelect
  | CreateSink
  | InsertIntoSelect
  | InsertValues
  | CreateConnector
  | DropSource
  | DropType
  | DropConnector
  | AlterSource
  | CreateType
  | Show
  | Describe
  | DescribeFunction
  | DescribeConnector
  | Explain
  | Print
  | QueryControl
  | SetProperty
  | UnsetProperty
  | AlterSystem
  | DefineVariable
  | UndefineVariable
  | RunScript
  | OutputFormat
  | Spool
  | AssertTopic
  | AssertSchema
  | AssertValues
  | AssertNullValues
  | AssertSource
  | QueryStatement;

export type StatementKind = Statement['kind'];

/** `CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (cols) WITH (...)` */
export interface CreateSource extends Node {
  readonly kind: 'CreateSource';
  readonly sourceType: SourceType;
  readonly orReplace: boolean;
  readonly isSource: boolean;
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
  readonly properties: readonly Property[];
}

/** `CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (...)] AS SELECT ...` */
export interface CreateAsSelect extends Node {
  readonly kind: 'CreateAsSelect';
  readonly sourceType: SourceType;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly properties: readonly Property[];
  readonly query: Query;
}

/** Sluice's `CREATE SINK [IF NOT EXISTS] name FROM relation WITH (...)`: copies a source to an external target. */
export interface CreateSink extends Node {
  readonly kind: 'CreateSink';
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly from: string;
  readonly properties: readonly Property[];
}

/** `INSERT INTO target [WITH (...)] SELECT ...` */
export interface InsertIntoSelect extends Node {
  readonly kind: 'InsertIntoSelect';
  readonly target: string;
  readonly properties: readonly Property[];
  readonly query: Query;
}

/** `INSERT INTO target [(col, ...)] VALUES (expr, ...)` */
export interface InsertValues extends Node {
  readonly kind: 'InsertValues';
  readonly target: string;
  readonly columns?: readonly string[];
  readonly values: readonly Expression[];
}

export interface CreateConnector extends Node {
  readonly kind: 'CreateConnector';
  readonly connectorType: 'SOURCE' | 'SINK';
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly properties: readonly Property[];
}

export interface DropSource extends Node {
  readonly kind: 'DropSource';
  readonly sourceType: SourceType;
  readonly ifExists: boolean;
  readonly name: string;
  readonly deleteTopic: boolean;
}
export interface DropType extends Node { readonly kind: 'DropType'; readonly ifExists: boolean; readonly name: string }
export interface DropConnector extends Node { readonly kind: 'DropConnector'; readonly ifExists: boolean; readonly name: string }

/** `ALTER STREAM|TABLE name ADD [COLUMN] c type, ADD [COLUMN] ...` */
export interface AlterSource extends Node {
  readonly kind: 'AlterSource';
  readonly sourceType: SourceType;
  readonly name: string;
  readonly addColumns: readonly ColumnDefinition[];
}

/** `CREATE TYPE [IF NOT EXISTS] name AS type` */
export interface CreateType extends Node {
  readonly kind: 'CreateType';
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly type: TypeNode;
}

export type ShowTarget =
  | 'STREAMS'
  | 'TABLES'
  | 'TOPICS'
  | 'QUERIES'
  | 'FUNCTIONS'
  | 'PROPERTIES'
  | 'TYPES'
  | 'VARIABLES'
  | 'CONNECTORS';
/** `SHOW|LIST [ALL] TOPICS [EXTENDED]`, `SHOW [SOURCE|SINK] CONNECTORS`, ... */
export interface Show extends Node {
  readonly kind: 'Show';
  readonly target: ShowTarget;
  readonly extended: boolean;
  /** `SHOW ALL TOPICS` */
  readonly all: boolean;
  /** `SHOW SOURCE CONNECTORS` / `SHOW SINK CONNECTORS` */
  readonly connectorType?: 'SOURCE' | 'SINK';
}

/** `DESCRIBE [EXTENDED] name` or `DESCRIBE STREAMS|TABLES [EXTENDED]` */
export interface Describe extends Node {
  readonly kind: 'Describe';
  readonly extended: boolean;
  readonly target: { readonly kind: 'Source'; readonly name: string } | { readonly kind: 'All'; readonly sourceType: SourceType };
}
export interface DescribeFunction extends Node { readonly kind: 'DescribeFunction'; readonly name: string }
export interface DescribeConnector extends Node { readonly kind: 'DescribeConnector'; readonly name: string }

/** `EXPLAIN statement` or `EXPLAIN query_id` */
export interface Explain extends Node {
  readonly kind: 'Explain';
  readonly target: { readonly kind: 'Statement'; readonly statement: Statement } | { readonly kind: 'QueryId'; readonly queryId: string };
}

/** `PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n]` */
export interface Print extends Node {
  readonly kind: 'Print';
  readonly topic: string;
  readonly fromBeginning: boolean;
  readonly interval?: number;
  readonly limit?: number;
}

/** `TERMINATE|PAUSE|RESUME query_id` or `... ALL` */
export interface QueryControl extends Node {
  readonly kind: 'QueryControl';
  readonly action: 'TERMINATE' | 'PAUSE' | 'RESUME';
  /** undefined means ALL */
  readonly queryId?: string;
}

/** `SET 'name' = 'value'` */
export interface SetProperty extends Node { readonly kind: 'SetProperty'; readonly name: string; readonly value: string }
/** `UNSET 'name'` */
export interface UnsetProperty extends Node { readonly kind: 'UnsetProperty'; readonly name: string }
/** `ALTER SYSTEM 'name' = 'value'` */
export interface AlterSystem extends Node { readonly kind: 'AlterSystem'; readonly name: string; readonly value: string }
/** `DEFINE name = 'value'`; names keep the case they were written in (ksqlDB variables are case-insensitive: upper-cased). */
export interface DefineVariable extends Node { readonly kind: 'DefineVariable'; readonly name: string; readonly value: string }
export interface UndefineVariable extends Node { readonly kind: 'UndefineVariable'; readonly name: string }
/** `RUN SCRIPT 'path'` */
export interface RunScript extends Node { readonly kind: 'RunScript'; readonly path: string }
/** `OUTPUT [FORMAT] [TABULAR | JSON]` (ksqlDB CLI command): without a format, shows the current one */
export interface OutputFormat extends Node { readonly kind: 'OutputFormat'; readonly format?: 'TABULAR' | 'JSON' }
/** `SPOOL 'file'` copies the session's output to a file; `SPOOL OFF` stops (ksqlDB CLI command) */
export interface Spool extends Node { readonly kind: 'Spool'; readonly path?: string }

/** `ASSERT [NOT EXISTS] TOPIC name [WITH (...)] [TIMEOUT n unit]` */
export interface AssertTopic extends Node {
  readonly kind: 'AssertTopic';
  readonly exists: boolean;
  readonly topic: string;
  readonly properties: readonly Property[];
  readonly timeout?: Duration;
}
/** `ASSERT [NOT EXISTS] SCHEMA [SUBJECT 'name'] [ID n] [TIMEOUT n unit]` */
export interface AssertSchema extends Node {
  readonly kind: 'AssertSchema';
  readonly exists: boolean;
  readonly subject?: string;
  readonly id?: number;
  readonly timeout?: Duration;
}
/** `ASSERT VALUES source [(cols)] VALUES (...)` */
export interface AssertValues extends Node {
  readonly kind: 'AssertValues';
  readonly source: string;
  readonly columns?: readonly string[];
  readonly values: readonly Expression[];
}
/** `ASSERT NULL VALUES source [(cols)] KEY (...)` */
export interface AssertNullValues extends Node {
  readonly kind: 'AssertNullValues';
  readonly source: string;
  readonly columns?: readonly string[];
  readonly values: readonly Expression[];
}
/** `ASSERT STREAM|TABLE name (cols) WITH (...)` */
export interface AssertSource extends Node {
  readonly kind: 'AssertSource';
  readonly sourceType: SourceType;
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
  readonly properties: readonly Property[];
}

/** A bare SELECT: a push query (EMIT CHANGES) or a pull query. */
export interface QueryStatement extends Node { readonly kind: 'QueryStatement'; readonly query: Query }

/** A statement with the exact text it was parsed from (after variable substitution). */
export interface ParsedStatement {
  readonly statement: Statement;
  readonly text: string;
  /** position of the statement's first character in the whole input */
  readonly pos: SourcePosition;
}
