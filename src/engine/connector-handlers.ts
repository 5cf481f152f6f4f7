/**
 * CREATE SOURCE|SINK CONNECTOR, DROP CONNECTOR, DESCRIBE CONNECTOR and SHOW CONNECTORS, as ksqlDB
 * runs them against its embedded Connect worker. Connector configurations are not in the command log:
 * the worker keeps them in its config topic and restarts them when the engine opens.
 */
import { PlanError } from '../common/errors.js';
import type { Worker } from '../connect/runtime/worker.js';
import { ConnectError } from '../connect/runtime/connect-errors.js';
import type { CreateConnector, DescribeConnector, DropConnector, Property, Show } from '../sql/ast.js';
import type { HandlerContext } from './handler-context.js';
import type { ResultTable, StatementResult } from './statement-result.js';

/** A property's name as written: a quoted name keeps its case (the parser upper-cases names). */
function rawPropertyName(prop: Property, stmtOffset: number, text: string): string {
  const at = prop.pos ? prop.pos.offset - stmtOffset : -1;
  const quote = at >= 0 ? text[at] : undefined;
  if (quote === "'" || quote === '"' || quote === '`') {
    let out = '';
    for (let i = at + 1; i < text.length; i++) {
      if (text[i] === quote) {
        if (text[i + 1] === quote) {
          out += quote;
          i++;
          continue;
        }
        return out;
      }
      out += text[i];
    }
  }
  // unquoted: Connect's keys are lower case
  return prop.name.toLowerCase();
}

function propertyValue(prop: Property): string {
  const v = prop.value;
  switch (v.kind) {
    case 'NullLiteral':
      return '';
    case 'BooleanLiteral':
      return String(v.value);
    case 'StringLiteral':
      return v.value;
    default:
      return v.text;
  }
}

export function connectorProperties(stmt: CreateConnector, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of stmt.properties) out[rawPropertyName(p, stmt.pos?.offset ?? 0, text)] = propertyValue(p);
  return out;
}

/** ksqlDB wraps Connect's errors with the body Connect gave */
function connectFailure(what: string, e: unknown, pos: CreateConnector['pos']): never {
  if (e instanceof ConnectError) throw new PlanError(`Failed to ${what} connector: ${JSON.stringify({ error_code: e.status, message: e.message })}`, pos);
  throw e;
}

export async function createConnector(stmt: CreateConnector, ctx: HandlerContext): Promise<StatementResult> {
  const worker = ctx.engine.connect();
  const props = connectorProperties(stmt, ctx.text);
  const base = { kind: stmt.kind, statement: ctx.text };
  if (worker.has(stmt.name)) {
    if (stmt.ifNotExists) return { ...base, message: `Connector ${stmt.name} already exists`, unchanged: true, entity: { '@type': 'warning_entity', message: `Connector ${stmt.name} already exists` } };
    connectFailure('create', new ConnectError(`Connector ${stmt.name} already exists`, 409), stmt.pos);
  }
  const entry = worker.plugins.findConnector(props['connector.class'] ?? '');
  if (entry && entry.type !== stmt.connectorType.toLowerCase()) throw new PlanError(`Connector class ${props['connector.class']} is a ${entry.type} connector: use CREATE ${entry.type.toUpperCase()} CONNECTOR`, stmt.pos);
  let info;
  try {
    info = await worker.create(stmt.name, props);
  } catch (e) {
    connectFailure('create', e, stmt.pos);
  }
  return { ...base, message: `Created connector ${stmt.name}`, entity: { '@type': 'connector_info', info } };
}

export async function dropConnector(stmt: DropConnector, ctx: HandlerContext): Promise<StatementResult> {
  const worker = ctx.engine.connect();
  const base = { kind: stmt.kind, statement: ctx.text };
  if (!worker.has(stmt.name)) {
    if (stmt.ifExists) return { ...base, message: `Connector ${stmt.name} does not exist.`, unchanged: true, entity: { '@type': 'warning_entity', message: `Connector ${stmt.name} does not exist.` } };
    connectFailure('drop', new ConnectError(`Connector ${stmt.name} not found`, 404), stmt.pos);
  }
  await worker.delete(stmt.name);
  return { ...base, message: `Dropped connector "${stmt.name}"`, entity: { '@type': 'drop_connector', connectorName: stmt.name } };
}

/** a table as ksqlDB's CLI draws one inside DESCRIBE output */
function textTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => ` ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')}`.trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 3, 0));
  return [line(columns), rule, ...rows.map(line), rule].join('\n');
}

/** ksqlDB's state column: `RUNNING (1/1 tasks RUNNING)` */
function stateText(worker: Worker, name: string): string {
  const s = worker.status(name);
  const running = s.tasks.filter((t) => t.state === 'RUNNING').length;
  return `${s.connector.state} (${running}/${s.tasks.length} tasks RUNNING)`;
}

export async function showConnectors(stmt: Show, ctx: HandlerContext): Promise<{ table: ResultTable; entity: Record<string, unknown> }> {
  const worker = ctx.engine.connect();
  const names = worker.list().filter((n) => !stmt.connectorType || worker.type(n) === stmt.connectorType.toLowerCase());
  const connectors = names.map((name) => ({ name, type: worker.type(name).toUpperCase(), className: worker.connectorClass(name), state: stateText(worker, name) }));
  return {
    table: { columns: ['Connector Name', 'Type', 'Class', 'Status'], rows: connectors.map((c) => [c.name, c.type, c.className, c.state]) },
    entity: { '@type': 'connector_list', warnings: [], connectors },
  };
}

export async function describeConnector(stmt: DescribeConnector, ctx: HandlerContext): Promise<StatementResult> {
  const worker = ctx.engine.connect();
  if (!worker.has(stmt.name)) throw new PlanError(`Failed to describe connector: ${JSON.stringify({ error_code: 404, message: `Connector ${stmt.name} not found` })}`, stmt.pos);
  const status = worker.status(stmt.name);
  const topics = worker.activeTopics(stmt.name);
  const sources = ctx.engine
    .catalog()
    .listSources()
    .filter((s) => topics.includes(s.topic))
    .map((s) => ({ name: s.name, topic: s.topic, type: s.sourceType }));
  const lines = [
    `Name                 : ${stmt.name}`,
    `Class                : ${worker.connectorClass(stmt.name)}`,
    `Type                 : ${status.type}`,
    `State                : ${status.connector.state}`,
    `WorkerId             : ${status.connector.worker_id}`,
    ...(status.connector.trace ? [`Trace                : ${status.connector.trace}`] : []),
  ];
  const tasks = textTable(['Task ID', 'State', 'Error Trace'], status.tasks.map((t) => [String(t.id), t.state, (t.trace ?? '').split('\n')[0]!]));
  const related = sources.length ? `\n\n Related Sources\n${sources.map((s) => ` ${s.name}`).join('\n')}` : '';
  const topicText = topics.length ? `\n\n Related Topics\n${topics.map((t) => ` ${t}`).join('\n')}` : '';
  return {
    kind: stmt.kind,
    statement: ctx.text,
    // printed as the ksqlDB CLI prints it: the header, the task table, related sources and topics
    message: `${lines.join('\n')}\n\n${tasks}${related}${topicText}`,
    entity: { '@type': 'connector_description', connectorClass: worker.connectorClass(stmt.name), status, sources, topics, warnings: [] },
  };
}
