import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JoinStep, RepartitionStep, SourceStep, Step } from '../../src/catalog/query-plan.js';
import { stepInputs } from '../../src/catalog/query-plan.js';
import { plan } from './plan-fixture.js';

function sources(step: Step): SourceStep[] {
  if (step.kind === 'StreamSource' || step.kind === 'TableSource') return [step];
  return stepInputs(step).flatMap(sources);
}

function needed(sql: string): Record<string, readonly string[] | 'all'> {
  const out: Record<string, readonly string[] | 'all'> = {};
  for (const s of sources(plan(sql).plan.sink)) out[s.alias] = s.neededValueColumns ?? 'all';
  return out;
}

const cases: [sql: string, expected: Record<string, readonly string[] | 'all'>][] = [
  ['CREATE STREAM S AS SELECT ID, ITEM FROM ORDERS', { ORDERS: ['ITEM'] }],
  ['CREATE STREAM S AS SELECT ID, QTY * 2 AS Q FROM ORDERS WHERE ITEM = \'x\'', { ORDERS: ['ITEM', 'QTY'] }],
  ['CREATE STREAM S AS SELECT * FROM ORDERS', { ORDERS: 'all' }],
  ['CREATE STREAM S AS SELECT ID FROM ORDERS', { ORDERS: [] }],
  ['CREATE TABLE T AS SELECT CUSTOMER_ID, COUNT(*) AS N FROM ORDERS GROUP BY CUSTOMER_ID', { ORDERS: ['CUSTOMER_ID'] }],
  ['CREATE TABLE T AS SELECT ITEM, SUM(QTY) AS N FROM ORDERS WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY ITEM', { ORDERS: ['ITEM', 'QTY'] }],
  // a stream-table join's table side is read only by that join: narrowed like a stream
  ['CREATE STREAM S AS SELECT O.CUSTOMER_ID, C.NAME FROM ORDERS O JOIN CUSTOMERS C ON O.CUSTOMER_ID = C.CUSTOMER_ID', { O: ['CUSTOMER_ID'], C: ['NAME'] }],
  ["CREATE STREAM S AS SELECT O.CUSTOMER_ID, O.QTY FROM ORDERS O LEFT JOIN CUSTOMERS C ON O.CUSTOMER_ID = C.CUSTOMER_ID WHERE C.REGION = 'EU'", { O: ['CUSTOMER_ID', 'QTY'], C: ['REGION'] }],
  ['CREATE STREAM S AS SELECT O.CUSTOMER_ID, C.* FROM ORDERS O JOIN CUSTOMERS C ON O.CUSTOMER_ID = C.CUSTOMER_ID', { O: ['CUSTOMER_ID'], C: 'all' }],
  // other tables keep every column (table-table joins and table aggregates materialize their rows)
  ['CREATE TABLE T AS SELECT REGION, COUNT(*) AS N FROM CUSTOMERS GROUP BY REGION', { CUSTOMERS: 'all' }],
  ['CREATE STREAM S AS SELECT O.ID, P.PID FROM ORDERS O JOIN PAYMENTS P WITHIN 1 HOUR ON O.ID = P.ORDER_ID', { O: [], P: ['ORDER_ID'] }],
  ['CREATE STREAM S AS SELECT ID, EXPLODE(TAGS) AS T FROM ORDERS', { ORDERS: ['TAGS'] }],
  ['CREATE STREAM S AS SELECT ITEM, QTY FROM ORDERS PARTITION BY ITEM', { ORDERS: ['ITEM', 'QTY'] }],
];

test('source scans carry the value columns the query reads', () => {
  for (const [sql, expected] of cases) assert.deepStrictEqual(needed(sql), expected, sql);
});

function repartitions(step: Step): RepartitionStep[] {
  const below = stepInputs(step).flatMap(repartitions);
  return step.kind === 'StreamRepartition' ? [step, ...below] : below;
}

/** per repartition step: the names of the columns it writes to its internal topic */
function crossing(sql: string): Record<string, readonly string[] | 'all'> {
  const out: Record<string, readonly string[] | 'all'> = {};
  for (const r of repartitions(plan(sql).plan.sink)) out[r.id] = r.neededColumns?.map((i) => r.columns[i]!.name) ?? 'all';
  return out;
}

test('a stream repartition writes only the columns read above it', () => {
  // GROUP BY: the key (the aggregate keeps it), the grouping and aggregated columns; not the rest, nor the pseudo columns
  assert.deepStrictEqual(crossing('CREATE TABLE T AS SELECT ITEM, SUM(QTY) AS N FROM ORDERS GROUP BY ITEM'), { 'Aggregate/GroupBy': ['ID', 'ITEM', 'QTY'] });
  // a join: its key and what the projection reads, on each side
  assert.deepStrictEqual(crossing('CREATE STREAM S AS SELECT O.QTY, O.ITEM, P.PID FROM ORDERS O JOIN PAYMENTS P WITHIN 1 HOUR ON O.QTY = P.ORDER_ID'), {
    'Join/0/Left': ['ITEM', 'QTY'],
    'Join/0/Right': ['PID', 'ORDER_ID'],
  });
  // SELECT * reads every column (the pseudo columns are not among them)
  assert.deepStrictEqual(crossing('CREATE STREAM S AS SELECT * FROM ORDERS O JOIN PAYMENTS P WITHIN 1 HOUR ON O.QTY = P.ORDER_ID'), {
    'Join/0/Left': ['ID', 'CUSTOMER_ID', 'ITEM', 'QTY', 'TAGS'],
    'Join/0/Right': ['PID', 'ORDER_ID', 'AMOUNT'],
  });
  // a stream joined to a table: only the stream side crosses a topic
  assert.deepStrictEqual(crossing('CREATE STREAM S AS SELECT O.ITEM, C.NAME FROM ORDERS O JOIN CUSTOMERS C ON O.ITEM = C.CUSTOMER_ID'), { 'Join/0/Left': ['ITEM'] });
});

test('repartitions and stream joins learn which positions of their rows are read above them', () => {
  const find = (step: Step, kind: string): Step[] => [...(step.kind === kind ? [step] : []), ...stepInputs(step).flatMap((s) => find(s, kind))];
  const p = plan('CREATE STREAM S AS SELECT O.ID, P.AMOUNT FROM ORDERS O JOIN PAYMENTS P WITHIN 1 HOUR ON O.ID = P.ORDER_ID').plan.sink;
  const join = find(p, 'StreamStreamJoin')[0] as JoinStep;
  // PAYMENTS: PID, ORDER_ID, AMOUNT, ...: only P.AMOUNT is read above (O.ID is the join key, read
  // from the join's key column: rules/read-join-key.ts)
  assert.deepEqual(join.leftNeeded, []);
  assert.deepEqual(join.rightNeeded, [2]);
  const repartition = find(p, 'StreamRepartition')[0] as RepartitionStep;
  // the payments' repartition carries the join key too (the join computes it from the row)
  assert.deepEqual(repartition.neededColumns, [1, 2]);
  const all = plan('CREATE STREAM S AS SELECT * FROM ORDERS O JOIN PAYMENTS P WITHIN 1 HOUR ON O.ID = P.ORDER_ID').plan.sink;
  // SELECT * reads every value column of ORDERS, not its key (the join key) nor its pseudo columns
  assert.deepEqual((find(all, 'StreamStreamJoin')[0] as typeof join).leftNeeded, [1, 2, 3, 4]);
});
