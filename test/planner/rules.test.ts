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
