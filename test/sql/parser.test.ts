import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../src/common/errors.js';
import type * as A from '../../src/sql/ast.js';
import { parseExpression, parseStatement, parseStatements, parseType, stripPositions } from '../../src/sql/parse.js';
import { formatStatement } from '../../src/sql/printer.js';

const expr = (s: string) => stripPositions(parseExpression(s));
const stmt = (s: string) => stripPositions(parseStatement(s));
const col = (name: string, source?: string): A.ColumnRef => (source ? { kind: 'ColumnRef', source, name } : { kind: 'ColumnRef', name });
const int = (text: string): A.IntegerLiteral => ({ kind: 'IntegerLiteral', text });
const query = (s: string) => {
  const st = stmt(s);
  assert.equal(st.kind, 'QueryStatement');
  return (st as A.QueryStatement).query;
};

function parseErrorOf(f: () => unknown): ParseError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a ParseError');
}

describe('expression precedence and associativity', () => {
  it('binary minus is left associative', () => {
    assert.deepEqual(expr('1 - 2 - 3'), {
      kind: 'Arithmetic',
      op: '-',
      left: { kind: 'Arithmetic', op: '-', left: int('1'), right: int('2') },
      right: int('3'),
    });
  });

  it('* binds tighter than +', () => {
    assert.deepEqual(expr('a + b * c'), {
      kind: 'Arithmetic',
      op: '+',
      left: col('A'),
      right: { kind: 'Arithmetic', op: '*', left: col('B'), right: col('C') },
    });
  });

  it('+ and || share a level, left to right', () => {
    assert.deepEqual(expr("a || b + c"), {
      kind: 'Arithmetic',
      op: '+',
      left: { kind: 'Concat', left: col('A'), right: col('B') },
      right: col('C'),
    });
  });

  it('OR < AND < NOT', () => {
    assert.deepEqual(expr('a OR b AND NOT c'), {
      kind: 'Logical',
      op: 'OR',
      left: col('A'),
      right: { kind: 'Logical', op: 'AND', left: col('B'), right: { kind: 'Not', operand: col('C') } },
    });
  });

  it('NOT applies to a whole comparison', () => {
    assert.deepEqual(expr('NOT a = 1'), { kind: 'Not', operand: { kind: 'Comparison', op: '=', left: col('A'), right: int('1') } });
  });

  it('unary minus applies to a postfix chain', () => {
    assert.deepEqual(expr('-x[1]->f'), {
      kind: 'Negate',
      operand: { kind: 'Dereference', base: { kind: 'Subscript', base: col('X'), index: int('1') }, field: 'F' },
    });
  });

  it('a minus before a number is a negative literal; before anything else a Negate', () => {
    assert.deepEqual(expr('-5'), int('-5'));
    assert.deepEqual(expr('-1.5'), { kind: 'DecimalLiteral', text: '-1.5' });
    assert.deepEqual(expr('-(5)'), { kind: 'Negate', operand: int('5') });
    assert.deepEqual(expr('2 - -5'), { kind: 'Arithmetic', op: '-', left: int('2'), right: int('-5') });
    assert.deepEqual(expr('-a * b'), { kind: 'Arithmetic', op: '*', left: { kind: 'Negate', operand: col('A') }, right: col('B') });
  });

  it('BETWEEN takes its own AND', () => {
    assert.deepEqual(expr('x BETWEEN 1 AND 2 AND y'), {
      kind: 'Logical',
      op: 'AND',
      left: { kind: 'Between', not: false, operand: col('X'), low: int('1'), high: int('2') },
      right: col('Y'),
    });
  });

  it('predicates bind looser than arithmetic', () => {
    assert.deepEqual(expr('a + 1 >= b * 2'), {
      kind: 'Comparison',
      op: '>=',
      left: { kind: 'Arithmetic', op: '+', left: col('A'), right: int('1') },
      right: { kind: 'Arithmetic', op: '*', left: col('B'), right: int('2') },
    });
    assert.deepEqual(expr('a != b'), { kind: 'Comparison', op: '<>', left: col('A'), right: col('B') });
  });

  it('IS [NOT] NULL, IS [NOT] DISTINCT FROM, [NOT] LIKE ... ESCAPE, [NOT] IN', () => {
    assert.deepEqual(expr('a IS NOT NULL'), { kind: 'IsNull', not: true, operand: col('A') });
    assert.deepEqual(expr('a IS DISTINCT FROM b'), { kind: 'DistinctFrom', not: false, left: col('A'), right: col('B') });
    assert.deepEqual(expr("a NOT LIKE 'x%' ESCAPE '!'"), {
      kind: 'Like',
      not: true,
      operand: col('A'),
      pattern: { kind: 'StringLiteral', value: 'x%' },
      escape: '!',
    });
    assert.deepEqual(expr('a NOT IN (1, b)'), { kind: 'InList', not: true, operand: col('A'), list: [int('1'), col('B')] });
  });

  it('parses CASE, CAST, constructors, subscripts and qualified columns', () => {
    assert.deepEqual(expr("CASE x WHEN 1 THEN 'a' ELSE 'b' END"), {
      kind: 'SimpleCase',
      operand: col('X'),
      whens: [{ when: int('1'), then: { kind: 'StringLiteral', value: 'a' } }],
      else: { kind: 'StringLiteral', value: 'b' },
    });
    assert.deepEqual(expr('CASE WHEN a THEN 1 END'), { kind: 'SearchedCase', whens: [{ when: col('A'), then: int('1') }] });
    assert.deepEqual(expr('CAST(s.x AS DECIMAL(4, 2))'), {
      kind: 'Cast',
      operand: col('X', 'S'),
      type: { kind: 'DecimalType', precision: 4, scale: 2 },
    });
    assert.deepEqual(expr("MAP('k' := 1)"), { kind: 'MapConstructor', entries: [{ key: { kind: 'StringLiteral', value: 'k' }, value: int('1') }] });
    assert.deepEqual(expr('STRUCT(f := 1)'), { kind: 'StructConstructor', fields: [{ name: 'F', value: int('1') }] });
    assert.deepEqual(expr('ARRAY[1, 2][1]'), { kind: 'Subscript', base: { kind: 'ArrayConstructor', elements: [int('1'), int('2')] }, index: int('1') });
  });

  it('parses function calls: star, DISTINCT, time units and lambdas', () => {
    assert.deepEqual(expr('COUNT(*)'), { kind: 'FunctionCall', name: 'COUNT', args: [], distinct: false, star: true });
    assert.deepEqual(expr('count(DISTINCT x)'), { kind: 'FunctionCall', name: 'COUNT', args: [col('X')], distinct: true, star: false });
    assert.deepEqual(expr('TIMESTAMPADD(SECONDS, 5, ts)'), {
      kind: 'FunctionCall',
      name: 'TIMESTAMPADD',
      args: [{ kind: 'IntervalUnit', unit: 'SECONDS' }, int('5'), col('TS')],
      distinct: false,
      star: false,
    });
    assert.deepEqual(expr('REDUCE(xs, 0, (s, x) => s + x)'), {
      kind: 'FunctionCall',
      name: 'REDUCE',
      args: [col('XS'), int('0'), { kind: 'Lambda', params: ['S', 'X'], body: { kind: 'Arithmetic', op: '+', left: col('S'), right: col('X') } }],
      distinct: false,
      star: false,
    });
    assert.deepEqual(expr('f((a + b))'), {
      kind: 'FunctionCall',
      name: 'F',
      args: [{ kind: 'Arithmetic', op: '+', left: col('A'), right: col('B') }],
      distinct: false,
      star: false,
    });
  });

  it('tells decimals from doubles', () => {
    assert.deepEqual(expr('1.50'), { kind: 'DecimalLiteral', text: '1.50' });
    assert.deepEqual(expr('1.5E3'), { kind: 'DoubleLiteral', text: '1.5E3' });
    assert.deepEqual(expr('.5'), { kind: 'DecimalLiteral', text: '.5' });
    assert.deepEqual(expr('2e-2'), { kind: 'DoubleLiteral', text: '2e-2' });
  });
});

describe('identifiers, literals, comments', () => {
  it('upper-cases unquoted identifiers and keeps quoted ones', () => {
    assert.deepEqual(expr('abc'), col('ABC'));
    assert.deepEqual(expr('`MixedCase`'), col('MixedCase'));
    assert.deepEqual(expr('"with space"'), col('with space'));
    assert.deepEqual(expr('`a``b`'), col('a`b'));
    assert.deepEqual(expr('t.`x`'), col('x', 'T'));
  });

  it('accepts non-reserved keywords as names', () => {
    assert.deepEqual(expr('key + `value` + timestamp + date'), {
      kind: 'Arithmetic',
      op: '+',
      left: { kind: 'Arithmetic', op: '+', left: { kind: 'Arithmetic', op: '+', left: col('KEY'), right: col('value') }, right: col('TIMESTAMP') },
      right: col('DATE'),
    });
    const q = query('SELECT key, size(a) AS type FROM s EMIT CHANGES;');
    assert.equal(q.emit, 'CHANGES');
    assert.deepEqual(q.select[1], { kind: 'SingleColumn', expression: { kind: 'FunctionCall', name: 'SIZE', args: [col('A')], distinct: false, star: false }, alias: 'TYPE' });
  });

  it("unescapes '' in strings", () => {
    assert.deepEqual(expr("'it''s'"), { kind: 'StringLiteral', value: "it's" });
    assert.deepEqual(expr("''"), { kind: 'StringLiteral', value: '' });
  });

  it('skips -- and /* */ comments', () => {
    const ps = parseStatements('-- first\nSHOW /* inline */ STREAMS; /* multi\nline */ SHOW TABLES -- trailing');
    assert.deepEqual(ps.map((p) => stripPositions(p.statement)), [
      { kind: 'Show', target: 'STREAMS', extended: false, all: false },
      { kind: 'Show', target: 'TABLES', extended: false, all: false },
    ]);
    assert.deepEqual(ps[1]!.pos, { line: 3, column: 9, offset: 53 });
    assert.equal(ps[0]!.text, 'SHOW /* inline */ STREAMS;');
  });

  it('records positions of nodes', () => {
    const s = parseStatement('SELECT a,\n  b + 1 FROM s;') as A.QueryStatement;
    const item = s.query.select[1] as A.SingleColumn;
    assert.deepEqual(item.expression.pos, { line: 2, column: 3, offset: 12 });
  });
});

describe('statements', () => {
  it('CREATE STREAM with columns, constraints and properties', () => {
    assert.deepEqual(
      stmt("CREATE OR REPLACE SOURCE STREAM IF NOT EXISTS s (id INT KEY, k2 STRING PRIMARY KEY, h ARRAY<STRUCT<k STRING, v BYTES>> HEADERS, x BYTES HEADER('x'), m MAP<STRING, DOUBLE>) WITH (kafka_topic='t', partitions=-1, flag=true);"),
      {
        kind: 'CreateSource',
        sourceType: 'STREAM',
        orReplace: true,
        isSource: true,
        ifNotExists: true,
        name: 'S',
        columns: [
          { kind: 'ColumnDefinition', name: 'ID', type: { kind: 'PrimitiveType', name: 'INTEGER' }, constraint: 'KEY' },
          { kind: 'ColumnDefinition', name: 'K2', type: { kind: 'PrimitiveType', name: 'STRING' }, constraint: 'PRIMARY_KEY' },
          {
            kind: 'ColumnDefinition',
            name: 'H',
            type: {
              kind: 'ArrayType',
              element: { kind: 'StructType', fields: [{ name: 'K', type: { kind: 'PrimitiveType', name: 'STRING' } }, { name: 'V', type: { kind: 'PrimitiveType', name: 'BYTES' } }] },
            },
            constraint: 'HEADERS',
          },
          { kind: 'ColumnDefinition', name: 'X', type: { kind: 'PrimitiveType', name: 'BYTES' }, constraint: 'HEADER', headerKey: 'x' },
          { kind: 'ColumnDefinition', name: 'M', type: { kind: 'MapType', key: { kind: 'PrimitiveType', name: 'STRING' }, value: { kind: 'PrimitiveType', name: 'DOUBLE' } }, constraint: 'NONE' },
        ],
        properties: [
          { kind: 'Property', name: 'KAFKA_TOPIC', value: { kind: 'StringLiteral', value: 't' } },
          { kind: 'Property', name: 'PARTITIONS', value: int('-1') },
          { kind: 'Property', name: 'FLAG', value: { kind: 'BooleanLiteral', value: true } },
        ],
      },
    );
  });

  it('CREATE TABLE AS SELECT with window, joins and clauses', () => {
    const s = stmt(
      'CREATE TABLE t WITH (kafka_topic=\'o\') AS SELECT a.id, COUNT(*) FROM a JOIN b WITHIN (1 HOUR, 2 HOURS) GRACE PERIOD 5 SECONDS ON a.id = b.id LEFT OUTER JOIN c AS cc ON a.id = cc.id ' +
        'WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 2 DAYS, GRACE PERIOD 10 SECONDS) WHERE a.x > 0 GROUP BY (a.id, b.y) HAVING COUNT(*) > 1 EMIT FINAL;',
    ) as A.CreateAsSelect;
    assert.equal(s.kind, 'CreateAsSelect');
    const from = s.query.from as A.JoinRelation;
    assert.equal(from.joinType, 'LEFT');
    assert.deepEqual(from.right, { kind: 'SourceRelation', name: 'C', alias: 'CC' });
    const inner = from.left as A.JoinRelation;
    assert.equal(inner.joinType, 'INNER');
    assert.deepEqual(inner.within, {
      kind: 'JoinWindow',
      before: { kind: 'Duration', value: 1, unit: 'HOURS' },
      after: { kind: 'Duration', value: 2, unit: 'HOURS' },
      grace: { kind: 'Duration', value: 5, unit: 'SECONDS' },
    });
    assert.deepEqual(s.query.window, {
      kind: 'TumblingWindow',
      size: { kind: 'Duration', value: 1, unit: 'MINUTES' },
      retention: { kind: 'Duration', value: 2, unit: 'DAYS' },
      grace: { kind: 'Duration', value: 10, unit: 'SECONDS' },
    });
    assert.deepEqual(s.query.groupBy, [col('ID', 'A'), col('Y', 'B')]);
    assert.equal(s.query.emit, 'FINAL');
  });

  it('select items: *, alias.*, struct->*, aliases with and without AS', () => {
    const q = query('SELECT *, s.*, x->y->*, a b, c AS d FROM src s PARTITION BY a;');
    assert.deepEqual(q.select, [
      { kind: 'AllColumns' },
      { kind: 'AllColumns', source: 'S' },
      { kind: 'StructAll', struct: { kind: 'Dereference', base: col('X'), field: 'Y' } },
      { kind: 'SingleColumn', expression: col('A'), alias: 'B' },
      { kind: 'SingleColumn', expression: col('C'), alias: 'D' },
    ]);
    assert.deepEqual(q.from, { kind: 'SourceRelation', name: 'SRC', alias: 'S' });
    assert.deepEqual(q.partitionBy, [col('A')]);
  });

  it('hopping and session windows, LIMIT', () => {
    const q = query('SELECT * FROM s WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECOND) EMIT CHANGES LIMIT 5;');
    assert.deepEqual(q.window, { kind: 'HoppingWindow', size: { kind: 'Duration', value: 30, unit: 'SECONDS' }, advance: { kind: 'Duration', value: 10, unit: 'SECONDS' } });
    assert.equal(q.limit, 5);
    const q2 = query('SELECT * FROM s WINDOW SESSION (5 MINUTES);');
    assert.deepEqual(q2.window, { kind: 'SessionWindow', gap: { kind: 'Duration', value: 5, unit: 'MINUTES' } });
  });

  it('INSERT forms', () => {
    assert.deepEqual(stmt("INSERT INTO t (a, `b`) VALUES (1, 'x');"), {
      kind: 'InsertValues',
      target: 'T',
      columns: ['A', 'b'],
      values: [int('1'), { kind: 'StringLiteral', value: 'x' }],
    });
    const ins = stmt("INSERT INTO t WITH (query_id='q') SELECT * FROM s;") as A.InsertIntoSelect;
    assert.equal(ins.kind, 'InsertIntoSelect');
    assert.equal(ins.properties[0]!.name, 'QUERY_ID');
  });

  it('connectors, sinks, types, drops and alters', () => {
    assert.deepEqual(stmt("CREATE SINK CONNECTOR IF NOT EXISTS c WITH ('connector.class'='x');"), {
      kind: 'CreateConnector',
      connectorType: 'SINK',
      ifNotExists: true,
      name: 'C',
      properties: [{ kind: 'Property', name: 'CONNECTOR.CLASS', value: { kind: 'StringLiteral', value: 'x' } }],
    });
    assert.deepEqual(stmt("CREATE SINK out FROM src WITH (format='JSON');"), {
      kind: 'CreateSink',
      ifNotExists: false,
      name: 'OUT',
      from: 'SRC',
      properties: [{ kind: 'Property', name: 'FORMAT', value: { kind: 'StringLiteral', value: 'JSON' } }],
    });
    assert.deepEqual(stmt('CREATE TYPE addr AS STRUCT<street STRING>;'), {
      kind: 'CreateType',
      ifNotExists: false,
      name: 'ADDR',
      type: { kind: 'StructType', fields: [{ name: 'STREET', type: { kind: 'PrimitiveType', name: 'STRING' } }] },
    });
    assert.deepEqual(stmt('DROP TABLE IF EXISTS t DELETE TOPIC;'), { kind: 'DropSource', sourceType: 'TABLE', ifExists: true, name: 'T', deleteTopic: true });
    assert.deepEqual(stmt('DROP TYPE addr;'), { kind: 'DropType', ifExists: false, name: 'ADDR' });
    assert.deepEqual(stmt('DROP CONNECTOR IF EXISTS c;'), { kind: 'DropConnector', ifExists: true, name: 'C' });
    assert.deepEqual(stmt('ALTER STREAM s ADD COLUMN a INT, ADD b addr;'), {
      kind: 'AlterSource',
      sourceType: 'STREAM',
      name: 'S',
      addColumns: [
        { kind: 'ColumnDefinition', name: 'A', type: { kind: 'PrimitiveType', name: 'INTEGER' }, constraint: 'NONE' },
        { kind: 'ColumnDefinition', name: 'B', type: { kind: 'NamedType', name: 'ADDR' }, constraint: 'NONE' },
      ],
    });
  });

  it('SHOW / LIST / DESCRIBE / EXPLAIN', () => {
    assert.deepEqual(stmt('LIST ALL TOPICS EXTENDED;'), { kind: 'Show', target: 'TOPICS', extended: true, all: true });
    assert.deepEqual(stmt('SHOW SOURCE CONNECTORS;'), { kind: 'Show', target: 'CONNECTORS', extended: false, all: false, connectorType: 'SOURCE' });
    for (const t of ['STREAMS', 'TABLES', 'QUERIES', 'FUNCTIONS', 'PROPERTIES', 'TYPES', 'VARIABLES'] as const) {
      assert.equal((stmt(`SHOW ${t}`) as A.Show).target, t);
    }
    assert.deepEqual(stmt('DESCRIBE s EXTENDED;'), { kind: 'Describe', extended: true, target: { kind: 'Source', name: 'S' } });
    assert.deepEqual(stmt('DESCRIBE EXTENDED s;'), { kind: 'Describe', extended: true, target: { kind: 'Source', name: 'S' } });
    assert.deepEqual(stmt('DESCRIBE TABLES;'), { kind: 'Describe', extended: false, target: { kind: 'All', sourceType: 'TABLE' } });
    assert.deepEqual(stmt('DESCRIBE FUNCTION concat;'), { kind: 'DescribeFunction', name: 'CONCAT' });
    assert.deepEqual(stmt('DESCRIBE CONNECTOR c;'), { kind: 'DescribeConnector', name: 'C' });
    assert.deepEqual(stmt('EXPLAIN CSAS_X_1;'), { kind: 'Explain', target: { kind: 'QueryId', queryId: 'CSAS_X_1' } });
    assert.equal((stmt('EXPLAIN SELECT * FROM s;') as A.Explain).target.kind, 'Statement');
  });

  it('PRINT, query control, properties, variables, scripts', () => {
    assert.deepEqual(stmt('PRINT myTopic FROM BEGINNING INTERVAL 2 LIMIT 10;'), { kind: 'Print', topic: 'myTopic', fromBeginning: true, interval: 2, limit: 10 });
    assert.deepEqual(stmt("PRINT 'a-b';"), { kind: 'Print', topic: 'a-b', fromBeginning: false });
    assert.deepEqual(stmt('TERMINATE ALL;'), { kind: 'QueryControl', action: 'TERMINATE' });
    assert.deepEqual(stmt('PAUSE q1;'), { kind: 'QueryControl', action: 'PAUSE', queryId: 'Q1' });
    assert.deepEqual(stmt('RESUME ALL;'), { kind: 'QueryControl', action: 'RESUME' });
    assert.deepEqual(stmt("SET 'auto.offset.reset' = 'earliest';"), { kind: 'SetProperty', name: 'auto.offset.reset', value: 'earliest' });
    assert.deepEqual(stmt("UNSET 'a';"), { kind: 'UnsetProperty', name: 'a' });
    assert.deepEqual(stmt("ALTER SYSTEM 'a' = 'b';"), { kind: 'AlterSystem', name: 'a', value: 'b' });
    assert.deepEqual(stmt("DEFINE myVar = 'v';"), { kind: 'DefineVariable', name: 'myVar', value: 'v' });
    assert.deepEqual(stmt('UNDEFINE myVar;'), { kind: 'UndefineVariable', name: 'myVar' });
    assert.deepEqual(stmt("RUN SCRIPT '/tmp/x.sql';"), { kind: 'RunScript', path: '/tmp/x.sql' });
  });

  it('the CLI commands OUTPUT and SPOOL (ksqlDB CLI), which stay usable as identifiers', () => {
    assert.deepEqual(stmt('OUTPUT FORMAT JSON;'), { kind: 'OutputFormat', format: 'JSON' });
    assert.deepEqual(stmt('output tabular;'), { kind: 'OutputFormat', format: 'TABULAR' });
    assert.deepEqual(stmt('OUTPUT;'), { kind: 'OutputFormat' });
    assert.deepEqual(stmt('OUTPUT FORMAT;'), { kind: 'OutputFormat' });
    assert.deepEqual(stmt("SPOOL '/tmp/out.txt';"), { kind: 'Spool', path: '/tmp/out.txt' });
    assert.deepEqual(stmt('SPOOL OFF;'), { kind: 'Spool' });
    assert.throws(() => stmt('OUTPUT FORMAT XML;'), /unknown output format 'XML', expected TABULAR or JSON/);
    assert.throws(() => stmt('SPOOL somewhere;'), /expected a quoted file name or OFF/);
    assert.equal(formatStatement(parseStatement('output json;')), 'OUTPUT FORMAT JSON');
    assert.equal(formatStatement(parseStatement('spool off;')), 'SPOOL OFF');
    assert.equal(stmt('SELECT output, spool FROM s;').kind, 'QueryStatement');
  });

  it('ASSERT forms', () => {
    assert.deepEqual(stmt("ASSERT NOT EXISTS TOPIC 'tp' WITH (partitions=1) TIMEOUT 5 SECONDS;"), {
      kind: 'AssertTopic',
      exists: false,
      topic: 'tp',
      properties: [{ kind: 'Property', name: 'PARTITIONS', value: int('1') }],
      timeout: { kind: 'Duration', value: 5, unit: 'SECONDS' },
    });
    assert.deepEqual(stmt("ASSERT SCHEMA SUBJECT 'sub' ID 3;"), { kind: 'AssertSchema', exists: true, subject: 'sub', id: 3 });
    // the test runner's forms parse only when asked for (ksqlDB's testStatement rule)
    const test = (sql: string) => stripPositions(parseStatements(sql, { testRunnerStatements: true })[0]!.statement);
    assert.throws(() => parseStatement('ASSERT VALUES s (a, b) VALUES (1, 2);'), /Syntax error at or near 'VALUES' at line 1:8/);
    assert.throws(() => parseStatement("ASSERT TABLE t (k INT PRIMARY KEY) WITH (kafka_topic='t');"), /Syntax error at or near 'TABLE' at line 1:8/);
    assert.deepEqual(test("ASSERT SCHEMA SUBJECT 'sub' ID 3;"), { kind: 'AssertSchema', exists: true, subject: 'sub', id: 3 });
    assert.deepEqual(test('ASSERT VALUES s (a, b) VALUES (1, 2);'), { kind: 'AssertValues', source: 'S', columns: ['A', 'B'], values: [int('1'), int('2')] });
    assert.deepEqual(test('ASSERT NULL VALUES s (k) KEY (1);'), { kind: 'AssertNullValues', source: 'S', columns: ['K'], values: [int('1')] });
    assert.deepEqual(test("ASSERT TABLE t (k INT PRIMARY KEY) WITH (kafka_topic='t');"), {
      kind: 'AssertSource',
      sourceType: 'TABLE',
      name: 'T',
      columns: [{ kind: 'ColumnDefinition', name: 'K', type: { kind: 'PrimitiveType', name: 'INTEGER' }, constraint: 'PRIMARY_KEY' }],
      properties: [{ kind: 'Property', name: 'KAFKA_TOPIC', value: { kind: 'StringLiteral', value: 't' } }],
    });
  });

  it('types', () => {
    assert.deepEqual(stripPositions(parseType('VARCHAR')), { kind: 'PrimitiveType', name: 'STRING' });
    assert.deepEqual(stripPositions(parseType('STRUCT<>')), { kind: 'StructType', fields: [] });
    assert.deepEqual(stripPositions(parseType('my_type')), { kind: 'NamedType', name: 'MY_TYPE' });
    assert.deepEqual(stripPositions(parseType('`INT`')), { kind: 'NamedType', name: 'INT' });
    assert.deepEqual(stripPositions(parseType('ARRAY<MAP<STRING, ARRAY<INT>>>')), {
      kind: 'ArrayType',
      element: { kind: 'MapType', key: { kind: 'PrimitiveType', name: 'STRING' }, value: { kind: 'ArrayType', element: { kind: 'PrimitiveType', name: 'INTEGER' } } },
    });
  });

  it('parseStatement wants exactly one statement', () => {
    assert.throws(() => parseStatement('SHOW STREAMS; SHOW TABLES;'), ParseError);
    assert.throws(() => parseStatement('  -- nothing'), ParseError);
    assert.equal(parseStatement('SHOW STREAMS').kind, 'Show');
  });
});

describe('parse errors', () => {
  it('name line:column, show the line with a caret, the token and what was expected', () => {
    const e = parseErrorOf(() => parseStatements('SHOW STREAMS;\nSELECT a, FROM s;'));
    assert.deepEqual(e.position, { line: 2, column: 11, offset: 24 });
    assert.equal(e.token, 'FROM');
    // ANTLR's vocabulary: literal tokens quoted, the others by symbolic name
    for (const name of ["'('", "'CASE'", 'IDENTIFIER', 'INTEGER_VALUE', 'STRING']) assert.ok(e.expected?.includes(name), `expected list: ${e.expected?.join(',')}`);
    const lines = e.message.split('\n');
    assert.equal(lines[0], 'line 2:11: Syntax Error');
    // the next token fits where FROM is: ANTLR's single-token deletion
    assert.match(lines[1]!, /^extraneous input 'FROM' expecting \{'\(', 'STRING', .*IDENTIFIER, DIGIT_IDENTIFIER, QUOTED_IDENTIFIER, BACKQUOTED_IDENTIFIER\}$/);
    assert.equal(lines[2], 'Statement: SELECT a, FROM s;');
    assert.equal(lines[3], '  SELECT a, FROM s;');
    assert.equal(lines[4], '            ^');
  });

  it("words errors as ANTLR's DefaultErrorStrategy with ksqlDB's overrides", () => {
    const wording = (sql: string) => parseErrorOf(() => parseStatements(sql)).message.split('\n').slice(0, 2).join(' | ');
    // input mismatch: ksqlDB words ANTLR's "mismatched input 'X' expecting" as "Expecting"
    assert.equal(wording('SELECT * FRM s;'), "line 1:10: Syntax Error | Expecting {',', 'FROM'}");
    // optional parts that cannot take the token are left out, as ANTLR's sync leaves them
    assert.equal(wording("CREATE STREAM i (k VARCHAR(STRING) (KEY)) WITH (kafka_topic='i');"), "line 1:36: Syntax Error | Expecting {',', ')'}");
    // single-token insertion and deletion
    assert.equal(wording('SELECT a FROM s GROUP BY f3, (f2, f1);'), "line 1:33: Syntax Error | missing ')' at ','");
    assert.equal(wording('SELECT a FROM s WHERE a = 1 1;'), "line 1:29: Syntax Error | extraneous input '1' expecting ';'");
    assert.equal(wording('SELECT * FROM s GROUP;'), "line 1:22: Syntax Error | Expecting 'BY'");
    assert.equal(wording('CREATE STREAM s (a INT) WITH (x=1) garbage;'), "line 1:36: Syntax Error | extraneous input 'garbage' expecting ';'");
    assert.equal(wording('SHOW STREAMS SHOW TABLES;'), "line 1:14: Syntax Error | missing ';' at 'SHOW'");
    // at the end of a statement without ';', ANTLR shows the end of input
    assert.match(wording('SELECT * FROM s WHERE'), /^line 1:22: Syntax Error \| Expecting \{'\(', 'STRING', .*, 'CASE', .*IDENTIFIER/);
    // the token where no alternative goes on
    assert.equal(wording('SELECT a FROM s WINDOW x y;'), "line 1:26: Syntax Error | Syntax error at or near 'y' at line 1:26");
  });

  it('reports lexical errors as ParseErrors with positions', () => {
    const e = parseErrorOf(() => parseStatement("SELECT 'abc FROM s"));
    assert.match(e.message, /^line 1:8: Syntax Error\nunterminated string literal/);
    const e2 = parseErrorOf(() => parseStatement('SELECT a # b FROM s'));
    assert.match(e2.message, /^line 1:10: Syntax Error\nunexpected character '#'/);
    const e3 = parseErrorOf(() => parseStatement('SELECT a /* open'));
    assert.match(e3.message, /unterminated comment/);
  });

  it('still names the expectation in very long statements', () => {
    const long = 'SELECT * FROM s WHERE ' + Array.from({ length: 800 }, (_, i) => `(a${i} = ${i} OR b IS NULL)`).join(' AND ') + ' GROUP;';
    const e = parseErrorOf(() => parseStatement(long));
    assert.equal(e.message.split('\n').slice(0, 2).join(' | '), `line 1:${long.length}: Syntax Error | Expecting 'BY'`);
  });

  it('rejects AS SELECT on a CREATE SOURCE', () => {
    const e = parseErrorOf(() => parseStatement('CREATE SOURCE STREAM s AS SELECT * FROM t;'));
    assert.match(e.message, /cannot have AS SELECT/);
  });

  it('rejects a non-integer LIMIT', () => {
    const e = parseErrorOf(() => parseStatement('SELECT * FROM s LIMIT 2.5;'));
    // ksqlDB raises it while building the statement: its preparation form, no line and column
    assert.match(e.message, /^Failed to prepare statement: Value must be integer for command: LIMIT\n/);
    assert.deepEqual([e.position?.line, e.position?.column], [1, 23]);
  });

  it("takes only integers and STRING as type parameters, as ksqlDB's typeParameter rule", () => {
    assert.doesNotThrow(() => parseStatement("CREATE STREAM s (a VARCHAR(10), b VARCHAR(STRING)) WITH (kafka_topic='t');"));
    const e = parseErrorOf(() => parseStatement("CREATE STREAM INPUT (K INTEGER (KEY)) WITH (kafka_topic='input');"));
    assert.match(e.message, /^line 1:33: Syntax Error\nExpecting \{'STRING', INTEGER_VALUE\}\n/);
  });

  it('takes value expressions in GROUP BY and PARTITION BY: a predicate needs parentheses', () => {
    const e = parseErrorOf(() => parseStatement('CREATE STREAM o AS SELECT * FROM i PARTITION BY name AND age;'));
    assert.match(e.message, /^line 1:54: Syntax Error\nExpecting ';'\n/);
    assert.match(parseErrorOf(() => parseStatement('SELECT a, COUNT(*) FROM i GROUP BY a = 1;')).message, /^line 1:38: Syntax Error\nExpecting ';'/);
    const ok = parseStatement('CREATE STREAM o AS SELECT * FROM i PARTITION BY (name IS NULL);');
    assert.equal(formatStatement(ok), 'CREATE STREAM O AS SELECT * FROM I PARTITION BY (NAME IS NULL)');
  });
});

describe('type parameters', () => {
  it('accepts and ignores integers and STRING, as ksqlDB does', () => {
    assert.deepEqual(parseType('VARCHAR(10)'), parseType('VARCHAR'));
    assert.equal(stripPositions(parseType('VARCHAR(STRING)')).kind, 'PrimitiveType');
  });

  it('rejects anything else instead of dropping it (K INTEGER (KEY) is not a key column)', () => {
    const e = parseErrorOf(() => parseStatement("CREATE STREAM INPUT (K INTEGER (KEY)) WITH (kafka_topic='input', value_format='JSON');"));
    assert.deepEqual([e.position?.line, e.position?.column], [1, 33]);
    assert.match(e.message, /Syntax Error\nExpecting \{'STRING', INTEGER_VALUE\}/);
  });
});
