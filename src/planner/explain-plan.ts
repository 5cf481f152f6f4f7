/**
 * EXPLAIN: the steps of a plan as an indented tree, sink first, with each step's row schema. Steps
 * without a detail line of their own are described from their fields, so a new step kind needs no
 * change here.
 */
import { quoteIdentifierIfNeeded } from '../common/schema.js';
import { formatSqlType } from '../common/sql-types.js';
import type { QueryPlan, Step, StepOfKind } from '../catalog/query-plan.js';
import { stepInputs } from '../catalog/query-plan.js';
import { formatExpression } from '../sql/printer.js';
import { isExpression } from './rewrite-expression.js';

const details: { [K in Step['kind']]?: (s: StepOfKind<K>) => string } = {
  StreamSource: (s) => `topic: ${s.topic}, key: ${s.keyFormat.format}, value: ${s.valueFormat.format}`,
  TableSource: (s) => `topic: ${s.topic}, key: ${s.keyFormat.format}, value: ${s.valueFormat.format}`,
  StreamFilter: (s) => `WHERE ${formatExpression(s.predicate)}`,
  TableFilter: (s) => `WHERE ${formatExpression(s.predicate)}`,
  StreamFlatMap: (s) => s.tableFunctions.map(formatExpression).join(', '),
  StreamSelectKey: (s) => `PARTITION BY ${s.keyExpressions.map(formatExpression).join(', ')}`,
  StreamSelect: (s) => s.expressions.map((e, i) => `${formatExpression(e)} AS ${quoteIdentifierIfNeeded(s.columns[i]!.name)}`).join(', '),
  TableSelect: (s) => s.expressions.map((e, i) => `${formatExpression(e)} AS ${quoteIdentifierIfNeeded(s.columns[i]!.name)}`).join(', '),
  StreamAggregate: (s) => `GROUP BY ${s.groupBy.map(formatExpression).join(', ')}${s.window ? ` WINDOW ${s.window.type}` : ''}: ${s.aggregates.map((a) => a.name).join(', ')}`,
  TableAggregate: (s) => `GROUP BY ${s.groupBy.map(formatExpression).join(', ')}: ${s.aggregates.map((a) => a.name).join(', ')}`,
  StreamStreamJoin: (s) => `${s.joinType} JOIN ON ${formatExpression(s.leftKey)} = ${formatExpression(s.rightKey)} WITHIN (${s.within?.beforeMs} ms, ${s.within?.afterMs} ms)`,
  StreamTableJoin: (s) => `${s.joinType} JOIN ON ${formatExpression(s.leftKey)} = ${formatExpression(s.rightKey)}`,
  TableTableJoin: (s) => `${s.joinType} JOIN ON ${formatExpression(s.leftKey)} = ${formatExpression(s.rightKey)}`,
  ForeignKeyTableJoin: (s) => `${s.joinType} JOIN ON foreign key ${formatExpression(s.leftKey)} = ${formatExpression(s.rightKey)}`,
  StreamRepartition: (s) => `topic: ${s.topic}, key: ${s.keyExpressions.map(formatExpression).join(', ')}`,
  StreamSink: (s) => `topic: ${s.topic}, key: ${s.keyFormat.format}, value: ${s.valueFormat.format}`,
  TableSink: (s) => `topic: ${s.topic}, key: ${s.keyFormat.format}, value: ${s.valueFormat.format}`,
};

export function explainPlan(plan: QueryPlan): string {
  const lines = [`Query ${plan.queryId}`, ''];
  const visit = (step: Step, depth: number): void => {
    const pad = '  '.repeat(depth);
    const detail = ((details[step.kind] as ((s: Step) => string) | undefined) ?? describeFields)(step);
    lines.push(`${pad}> [ ${step.kind} ] ${step.id}: ${detail}`);
    lines.push(`${pad}    schema: ${step.columns.map((c) => `${c.source ? `${c.source}.` : ''}${quoteIdentifierIfNeeded(c.name)} ${formatSqlType(c.type)}`).join(', ')}`);
    for (const input of stepInputs(step)) visit(input, depth + 1);
  };
  visit(plan.sink, 0);
  return lines.join('\n');
}

const STRUCTURE = new Set(['kind', 'id', 'columns', 'input', 'left', 'right', 'schema']);

/** `field: value, ...` for a step's own fields (expressions printed as SQL). */
function describeFields(step: Step): string {
  const show = (v: unknown): string =>
    isExpression(v) ? formatExpression(v) : Array.isArray(v) ? v.map(show).join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return Object.entries(step)
    .filter(([k]) => !STRUCTURE.has(k))
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join(', ');
}
