/**
 * SQL in, plan shape out: the logical plan, after the rules, and the physical steps (with the
 * repartitions a stateful step needs when its input is not keyed by what it groups or joins on).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logicalPlan, logicalShape, plan, stepShape } from './plan-fixture.js';

const CASES: readonly { sql: string; logical: string; steps: string; key?: readonly string[] }[] = [
  {
    sql: 'CREATE STREAM s AS SELECT id, item FROM orders;',
    logical: 'Sink(Project(Source))',
    steps: 'StreamSink(StreamSelect(StreamSource))',
    key: ['ID'],
  },
  {
    sql: 'CREATE STREAM s AS SELECT id, item FROM orders WHERE qty > 1;',
    logical: 'Sink(Project(Filter(Source)))',
    steps: 'StreamSink(StreamSelect(StreamFilter(StreamSource)))',
  },
  {
    sql: 'CREATE STREAM s AS SELECT id, EXPLODE(tags) AS tag FROM orders;',
    logical: 'Sink(Project(FlatMap(Source)))',
    steps: 'StreamSink(StreamSelect(StreamFlatMap(StreamSource)))',
  },
  {
    sql: 'CREATE STREAM s AS SELECT item, qty FROM orders PARTITION BY item;',
    logical: 'Sink(Project(SelectKey(Source)))',
    steps: 'StreamSink(StreamSelect(StreamSelectKey(StreamSource)))',
    key: ['ITEM'],
  },
  {
    sql: 'CREATE TABLE t AS SELECT item, COUNT(*) AS n FROM orders GROUP BY item;',
    logical: 'Sink(Project(Aggregate(Source)))',
    steps: 'TableSink(TableSelect(StreamAggregate(StreamRepartition(StreamSource))))',
    key: ['ITEM'],
  },
  {
    sql: 'CREATE TABLE t AS SELECT item, SUM(qty) AS total FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY item HAVING SUM(qty) > 10;',
    logical: 'Sink(Project(Filter(Aggregate(Source))))',
    steps: 'TableSink(TableSelect(TableFilter(StreamAggregate(StreamRepartition(StreamSource)))))',
  },
  {
    sql: 'CREATE TABLE t AS SELECT region, COUNT(*) AS n FROM customers GROUP BY region;',
    logical: 'Sink(Project(Aggregate(Source)))',
    steps: 'TableSink(TableSelect(TableAggregate(TableSource)))',
  },
  {
    sql: 'CREATE STREAM s AS SELECT o.customer_id, o.id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id;',
    key: ['O_CUSTOMER_ID'],
    logical: 'Sink(Project(Join(Source, Source)))',
    steps: 'StreamSink(StreamSelect(StreamTableJoin(StreamRepartition(StreamSource), TableSource)))',
  },
  {
    sql: 'CREATE STREAM s AS SELECT o.id, p.amount FROM orders o JOIN payments p WITHIN 1 HOUR ON o.id = p.order_id;',
    logical: 'Sink(Project(Join(Source, Source)))',
    steps: 'StreamSink(StreamSelect(StreamStreamJoin(StreamSource, StreamRepartition(StreamSource))))',
    key: ['ID'],
  },
  {
    sql: 'CREATE STREAM s AS SELECT o.customer_id, p.amount, c.name FROM orders o JOIN payments p WITHIN 1 HOUR ON o.id = p.order_id JOIN customers c ON o.customer_id = c.customer_id;',
    logical: 'Sink(Project(Join(Join(Source, Source), Source)))',
    steps: 'StreamSink(StreamSelect(StreamTableJoin(StreamRepartition(StreamStreamJoin(StreamSource, StreamRepartition(StreamSource))), TableSource)))',
  },
];

for (const c of CASES) {
  test(`plan shape: ${c.sql}`, () => {
    assert.equal(logicalShape(logicalPlan(c.sql)), c.logical);
    const planned = plan(c.sql);
    assert.equal(stepShape(planned.plan.sink), c.steps);
    if (c.key) assert.deepEqual(planned.sink.schema.columns.filter((col) => col.namespace === 'KEY').map((col) => col.name), c.key);
  });
}

test('step ids come from the plan path, not from counters', () => {
  const ids: string[] = [];
  const visit = (s: { id: string; input?: unknown; left?: unknown; right?: unknown }) => {
    ids.push(s.id);
    for (const next of [s.input, s.left, s.right]) if (next) visit(next as typeof s);
  };
  visit(plan('CREATE STREAM s AS SELECT o.customer_id, p.amount, c.name FROM orders o JOIN payments p WITHIN 1 HOUR ON o.id = p.order_id JOIN customers c ON o.customer_id = c.customer_id WHERE p.amount > 0;').plan.sink);
  // (the WHERE reads only the stream side of the stream-table join: it runs below the join, above
  // that side's repartition; rules/push-down-filter.ts, add-repartitions.ts)
  assert.deepEqual(ids, ['Sink/S', 'Project', 'Join/0', 'Join/0/Filter', 'Join/0/Left', 'Join/1', 'Source/O', 'Join/1/Right', 'Source/P', 'Source/C']);
});

test('the sink inherits the left-most source formats and reads the sources it names', () => {
  const planned = plan('CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id;');
  assert.equal(planned.sink.valueFormat.format, 'JSON');
  assert.deepEqual(planned.inputSources, ['ORDERS', 'CUSTOMERS']);
  assert.deepEqual(planned.plan.sourceTopics, ['orders', 'customers']);
});
