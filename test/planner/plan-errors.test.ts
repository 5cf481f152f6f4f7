/**
 * SQL in, error out: the planner's and type checker's errors carry the position of the node they
 * are about, and the engine shows it as ksqlDB does (`Line: L, Col: C: ...`) with a caret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocatedError } from '../../src/common/errors.js';
import { withEngine } from '../support/with-engine.js';
import { plan } from './plan-fixture.js';

/** `at` marks the offending text: the error's column is where it starts. */
const CASES: readonly { sql: string; error: string; at: string; kind: 'PlanError' | 'TypeCheckError' }[] = [
  {
    sql: 'CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.nope;',
    error: "JOIN ON column 'C.NOPE' cannot be resolved.",
    at: 'c.nope',
    kind: 'PlanError',
  },
  { sql: 'CREATE STREAM s AS SELECT id, nope FROM orders;', error: "SELECT column 'NOPE' cannot be resolved.", at: 'nope', kind: 'TypeCheckError' },
  { sql: 'CREATE STREAM s AS SELECT id, item FROM nowhere;', error: 'NOWHERE does not exist.', at: 'nowhere', kind: 'PlanError' },
  {
    sql: 'CREATE STREAM s AS SELECT id, item FROM orders WHERE COUNT(*) > 1;',
    error: 'WHERE does not support aggregate functions: COUNT is an aggregate function.',
    at: 'COUNT(*)',
    kind: 'PlanError',
  },
  {
    sql: 'CREATE STREAM s AS SELECT item, qty FROM orders PARTITION BY nope;',
    error: "PARTITION BY column 'NOPE' cannot be resolved.",
    at: 'nope',
    kind: 'PlanError',
  },
  {
    sql: 'CREATE STREAM s AS SELECT o.id, p.amount FROM orders o JOIN payments p WITHIN 1 HOUR ON o.id = p.order_id AND o.qty = p.amount;',
    error: 'Invalid join condition: joins on multiple conditions are not yet supported.',
    at: 'o.id = p.order_id AND',
    kind: 'PlanError',
  },
  {
    sql: 'CREATE STREAM s AS SELECT id, item FROM orders WINDOW TUMBLING (SIZE 1 MINUTE);',
    error: 'WINDOW clause requires a GROUP BY clause.',
    at: 'TUMBLING',
    kind: 'PlanError',
  },
  {
    sql: 'CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM orders WINDOW TUMBLING (SIZE 1 HOUR, RETENTION 30 MINUTES, GRACE PERIOD 5 MINUTES) GROUP BY id;',
    error: 'The retention period of the window store must be no smaller than its window size plus the grace period. Got size=[3600000], grace=[300000], retention=[1800000]',
    at: '30 MINUTES',
    kind: 'PlanError',
  },
  { sql: 'CREATE STREAM s AS SELECT id, qty + item AS x FROM orders;', error: 'Unsupported arithmetic types. INTEGER STRING', at: 'qty + item', kind: 'TypeCheckError' },
];

function expectedColumn(sql: string, at: string): number {
  const i = sql.indexOf(at);
  assert.ok(i >= 0, `${at} in ${sql}`);
  return i + 1;
}

for (const c of CASES) {
  test(`planner error at ${c.at}: ${c.error}`, () => {
    assert.throws(
      () => plan(c.sql),
      (e: unknown) => {
        assert.ok(e instanceof LocatedError, `a located error, got ${String(e)}`);
        assert.equal(e.constructor.name, c.kind);
        assert.ok(e.detail.includes(c.error), e.detail);
        assert.deepEqual([e.position?.line, e.position?.column], [1, expectedColumn(c.sql, c.at)]);
        return true;
      },
    );
  });
}

test('the engine names line and column as ksqlDB does, and shows the line with a caret', async () => {
  await withEngine(async (engine) => {
    await engine.execute(
      "CREATE STREAM i1 (k STRING KEY, f0 INT) WITH (kafka_topic='i1', partitions=1, value_format='JSON');\n" +
        "CREATE STREAM i2 (k STRING KEY, f0 INT) WITH (kafka_topic='i2', partitions=1, value_format='JSON');",
    );
    const script = 'CREATE STREAM a AS SELECT * FROM i1;\n\nCREATE STREAM out AS SELECT I1.K, F0 FROM i1 JOIN i2 WITHIN 10 SECONDS ON i1.k = i2.k;';
    await assert.rejects(engine.execute(script), (e: Error) => {
      const [first, line, caret] = e.message.split('\n');
      assert.equal(first, "Line: 3, Col: 35: Column 'F0' is ambiguous. Could be I1.F0 or I2.F0.");
      assert.equal(line, '  CREATE STREAM out AS SELECT I1.K, F0 FROM i1 JOIN i2 WITHIN 10 SECONDS ON i1.k = i2.k;');
      assert.equal(caret, `  ${' '.repeat(34)}^`);
      return true;
    });
  });
});

// ksqlDB's preparation form counts the column one past the 1-based one ("  SELECT k, " is 12 characters)
test('a bad numeric literal reads in ksqlDB preparation form', async () => {
  await withEngine(async (engine) => {
    await engine.execute("CREATE STREAM i (k STRING KEY, v INT) WITH (kafka_topic='i', partitions=1, value_format='JSON');");
    await assert.rejects(engine.execute('CREATE STREAM o AS\n  SELECT k, 1.7976931348623159E308 AS d FROM i;'), (e: Error) => {
      assert.ok(e.message.startsWith('Failed to prepare statement: line 2:14: Number overflows DOUBLE: 1.7976931348623159E308'), e.message);
      return true;
    });
  });
});

test('an error without a position keeps its message as it is', async () => {
  await withEngine(async (engine) => {
    await engine.execute("CREATE STREAM i (k STRING KEY, v INT) WITH (kafka_topic='i', partitions=1, value_format='JSON');");
    await engine.execute("CREATE STREAM j (k STRING KEY, w STRING) WITH (kafka_topic='j', partitions=1, value_format='JSON');");
    await assert.rejects(engine.execute('INSERT INTO j SELECT k, v FROM i;'), (e: Error) => {
      assert.equal(e.message.split('\n')[0], 'Incompatible schema between results and sink.');
      return true;
    });
  });
});
