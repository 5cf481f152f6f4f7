/** Each rewrite rule, seen in the plan it rewrites. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilterNode, LogicalPlan, ProjectNode } from '../../src/planner/logical/logical-plan.js';
import { logicalInputs } from '../../src/planner/logical/logical-plan.js';
import { formatExpression } from '../../src/sql/printer.js';
import { logicalPlan } from './plan-fixture.js';

function find<K extends LogicalPlan['kind']>(node: LogicalPlan, kind: K): Extract<LogicalPlan, { kind: K }> {
  if (node.kind === kind) return node as Extract<LogicalPlan, { kind: K }>;
  for (const input of logicalInputs(node)) {
    try {
      return find(input, kind);
    } catch {
      // not under this input
    }
  }
  throw new Error(`no ${kind} node`);
}

const CASES: readonly { rule: string; sql: string; read: (plan: LogicalPlan) => string; expected: string }[] = [
  {
    rule: 'rewrite-magic-timestamps',
    sql: "CREATE STREAM s AS SELECT id, item FROM orders WHERE ROWTIME > '2020-01-01T00:00:00';",
    read: (p) => formatExpression(find(p, 'Filter').predicate),
    expected: 'ROWTIME > 1577836800000',
  },
  {
    rule: 'read-partition-keys',
    sql: 'CREATE STREAM s AS SELECT UCASE(item) AS k, qty FROM orders PARTITION BY UCASE(item);',
    read: (p) => find(p, 'Project').expressions.map((e) => formatExpression(e)).join(', '),
    expected: 'KSQL_COL_0, QTY',
  },
  {
    rule: 'read-join-key',
    sql: 'CREATE STREAM s AS SELECT c.customer_id, o.item FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id;',
    read: (p) => find(p, 'Project').expressions.map((e) => formatExpression(e)).join(', '),
    expected: 'ROWKEY, O.ITEM',
  },
];

for (const c of CASES) {
  test(`rule ${c.rule}`, () => {
    assert.equal(c.read(logicalPlan(c.sql)), c.expected);
  });
}

test('HAVING reads the aggregate columns', () => {
  const p = logicalPlan('CREATE TABLE t AS SELECT item, SUM(qty) AS total FROM orders GROUP BY item HAVING SUM(qty) > 10;');
  const having = find(p, 'Filter') as FilterNode;
  assert.equal(having.clause, 'HAVING');
  assert.equal(formatExpression(having.predicate), 'KSQL_AGG_VARIABLE_0 > 10');
  const project = find(p, 'Project') as ProjectNode;
  assert.deepEqual(project.expressions.map((e) => formatExpression(e)), ['ITEM', 'KSQL_AGG_VARIABLE_0']);
});

test('push-down-filter: the stream-side parts of a WHERE over a stream-table join run before it', () => {
  const p = logicalPlan(
    "CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id WHERE o.qty > 2 AND c.region = 'EU' AND o.item IN ('a', 'b');",
  );
  const above = find(p, 'Filter') as FilterNode;
  assert.equal(formatExpression(above.predicate), "C.REGION = 'EU'");
  assert.equal(above.input.kind, 'Join');
  const join = find(p, 'Join');
  assert.equal(join.left.kind, 'Filter');
  assert.equal(formatExpression((join.left as FilterNode).predicate), "O.QTY > 2 AND O.ITEM IN ('a', 'b')");
  assert.equal((join.left as FilterNode).input.kind, 'Source');
});

test('push-down-filter: what may fail, reads both sides or a pseudo column, or sits over a stream-stream join stays above', () => {
  const cases = [
    "CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id WHERE o.qty / 0 > 1;",
    "CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id WHERE o.item = c.name OR o.qty > 1;",
    "CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id WHERE UCASE(o.item) = 'A';",
    "CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id WHERE o.ROWTIME > 5;",
    'CREATE STREAM s AS SELECT o.id, p.amount FROM orders o JOIN payments p WITHIN 1 HOUR ON o.id = p.order_id WHERE o.qty > 2;',
  ];
  for (const sql of cases) {
    const p = logicalPlan(sql);
    const filter = find(p, 'Filter') as FilterNode;
    assert.equal(filter.input.kind, 'Join', sql);
    assert.notEqual(find(p, 'Join').left.kind, 'Filter', sql);
  }
});
