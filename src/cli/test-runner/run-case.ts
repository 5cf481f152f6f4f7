/**
 * Runs one conformance case against a fresh engine on a temporary data directory: creates the
 * topics the case uses, executes the statements, feeds the inputs one at a time (running the
 * queries until idle after each, as ksqlDB's test driver processes each record fully), then
 * compares the output topics and the `post` conditions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, createBuiltinRegistry, createSerde, formatStatement, isSluiceError, keyColumns, parseStatement, valueColumns } from '../../index.js';
import type { EngineOptions } from '../../engine/engine.js';
import type { FunctionRegistry } from '../../index.js';
import type { DataSource, FormatName, FormatOptions } from '../../index.js';
import type { TestCase, TestRecord } from './test-case.js';
import { JsonNumber, formatSqlType, isUnwrappedSingle, quoteIdentifier, splitWindowedKey, windowedKeyBytes } from '../../index.js';
import type { RegisteredSchemaType } from '../../index.js';
import { fieldOf, fromTestValue, parseJsonLoose, stringifyTestJson, testJsonText, testValuesEqual, toTestValue } from './test-values.js';
import { runRestCase } from './rest-case.js';
import type { RegisterFunctions } from './function-modules.js';

export interface ActualRecord {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  /** for windowed keys */
  readonly window?: { readonly start: number; readonly end: number; readonly type: string };
}

export interface CaseResult {
  readonly file: string;
  readonly name: string;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
  /** why it failed or was skipped */
  readonly reason?: string;
  readonly actual?: readonly ActualRecord[];
}

export interface RunCaseOptions {
  /** extra functions (e.g. a suite's own test fixtures), added after the built-in ones */
  readonly functions?: readonly RegisterFunctions[];
  /** REST cases: send statements and queries over HTTP to a `sluice server` on the case's engine */
  readonly viaServer?: boolean;
  /** engine options over the defaults (another log and state backend, e.g. Kafka), given the case's temp dir */
  readonly engineOptions?: (dir: string) => Promise<Partial<EngineOptions>>;
}

class CaseFailure extends Error {}

/** The case's function registry: the built-in functions plus the extra ones, if any. */
export function caseRegistry(properties: Readonly<Record<string, string>>, options: RunCaseOptions): FunctionRegistry | undefined {
  const functions = options.functions ?? [];
  if (!functions.length) return undefined;
  const registry = createBuiltinRegistry(properties);
  for (const register of functions) register(registry);
  return registry;
}

export async function runCase(tc: TestCase, options: RunCaseOptions = {}): Promise<CaseResult> {
  if (tc.responses || tc.expectedError) return runRestCase(tc, options);
  const base = { file: tc.file, name: tc.name };
  if (tc.skip) return { ...base, status: 'SKIP', reason: tc.skip };
  const dir = await mkdtemp(join(tmpdir(), 'sluice-test-'));
  const properties: Record<string, string> = { 'auto.offset.reset': 'earliest' };
  for (const [k, v] of Object.entries(tc.properties)) properties[k] = String(v);
  let engine: Engine | undefined;
  let actual: ActualRecord[] = [];
  try {
    const registry = caseRegistry(properties, options);
    engine = await Engine.open({ dataDir: dir, properties, ...(registry ? { registry } : {}), ...(options.engineOptions ? await options.engineOptions(dir) : {}) });
    await createTopics(engine, tc);
    await registerSchemas(engine, tc);
    let failure: unknown;
    try {
      // one script, as ksqlDB's test driver runs them: error positions count lines across statements
      await engine.execute(tc.statements.join('\n'));
    } catch (e) {
      failure = e;
    }
    if (tc.expectedException && failure === undefined) {
      // the error may come from processing the inputs (a query that fails, like a Streams task)
      await engine.runUntilIdle();
      for (const input of tc.inputs) {
        await produceInput(engine, input);
        await engine.runUntilIdle();
      }
      failure = engine.failedQueries()[0]?.error;
    }
    if (tc.expectedException) {
      if (failure === undefined) throw new CaseFailure(`expected an error${tc.expectedException.message ? ` containing "${tc.expectedException.message}"` : ''}, but every statement succeeded`);
      const message = failure instanceof Error ? failure.message : String(failure);
      const wanted = tc.expectedException.message;
      if (wanted && !message.includes(wanted)) throw new CaseFailure(`expected an error containing:\n    ${wanted}\n  but got:\n    ${message}`);
      if (!isSluiceError(failure)) throw new CaseFailure(`expected a clean error but got an internal one: ${message}`);
      return { ...base, status: 'PASS' };
    }
    if (failure !== undefined) {
      const message = failure instanceof Error ? (isSluiceError(failure) ? failure.message : failure.stack ?? failure.message) : String(failure);
      throw new CaseFailure(`statement failed: ${message}`);
    }
    await engine.runUntilIdle();
    for (const input of tc.inputs) {
      await produceInput(engine, input);
      await engine.runUntilIdle();
    }
    actual = await readOutputs(engine, tc.outputs);
    compareOutputs(tc.outputs.map((r) => throughSinkSchema(engine!, r)), actual.map((r) => throughSinkSchema(engine!, r)));
    await checkPost(engine, tc);
    return { ...base, status: 'PASS', actual };
  } catch (e) {
    if (e instanceof CaseFailure) return { ...base, status: 'FAIL', reason: e.message, actual };
    return { ...base, status: 'FAIL', reason: `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, actual };
  } finally {
    await engine?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

/** Topics named by the case: declared ones, inputs, and those of CREATE STREAM/TABLE statements. */
/** `defaultPartitions`: ksqlDB's REST test harness creates statement topics with 4 (its legacy default). */
export async function createTopics(engine: Engine, tc: TestCase, defaultPartitions = 1): Promise<void> {
  const wanted = new Map<string, number>();
  const declared = new Map<string, number | undefined>();
  for (const t of tc.topics) declared.set(t.name, t.partitions);
  for (const sql of tc.statements) {
    let stmt;
    try {
      stmt = parseStatement(sql);
    } catch {
      continue;
    }
    if (stmt.kind !== 'CreateSource') continue;
    const prop = (name: string) => stmt.properties.find((p) => p.name === name)?.value;
    const topic = prop('KAFKA_TOPIC');
    const partitions = prop('PARTITIONS');
    const name = topic?.kind === 'StringLiteral' ? topic.value : stmt.name;
    if (!wanted.has(name)) wanted.set(name, declared.get(name) ?? (partitions?.kind === 'IntegerLiteral' ? Number(partitions.text) : defaultPartitions));
  }
  for (const [name, partitions] of declared) if (!wanted.has(name)) wanted.set(name, partitions ?? 1);
  for (const r of tc.inputs) if (!wanted.has(r.topic)) wanted.set(r.topic, 1);
  const existing = new Set(await engine.log.listTopics());
  for (const [name, partitions] of wanted) if (!existing.has(name)) await engine.log.createTopic(name, { partitions, config: { 'retention.ms': -1 } });
}

const REGISTRY_TYPE: Record<string, RegisteredSchemaType> = { AVRO: 'AVRO', PROTOBUF: 'PROTOBUF', PROTOBUF_NOSR: 'PROTOBUF', JSON_SR: 'JSON', JSON: 'JSON' };

/** Schemas the case registers before it starts (as ksqlDB's test tool does in its mock registry). */
export async function registerSchemas(engine: Engine, tc: TestCase): Promise<void> {
  const registry = engine.schemaRegistry;
  const text = (s: unknown) => (typeof s === 'string' && !/^\s*[{["]/.test(s) ? s : JSON.stringify(s));
  for (const t of tc.topics) {
    for (const ref of t.valueSchemaReferences ?? []) registry.register(ref.name, REGISTRY_TYPE[(ref.format ?? 'PROTOBUF').toUpperCase()] ?? 'PROTOBUF', text(ref.schema));
    for (const [target, schema, format, id] of [
      ['key', t.keySchema, t.keyFormat, t.keySchemaId],
      ['value', t.valueSchema, t.valueFormat, t.valueSchemaId],
    ] as const) {
      if (schema === undefined || schema === null) continue;
      const type = REGISTRY_TYPE[(format ?? 'AVRO').toUpperCase()];
      if (!type) continue;
      const subject = `${t.name}-${target}`;
      if (id !== undefined) registry.registerWithId(subject, type, text(schema), Number(id));
      else registry.register(subject, type, text(schema));
    }
  }
  await engine.flushSchemaRegistrations();
}

function sourceForTopic(engine: Engine, topic: string, preferSink: boolean): DataSource | undefined {
  const all = engine.catalog.listSources().filter((s) => s.topic === topic);
  return (preferSink ? all.find((s) => s.createdByQuery) : all.find((s) => !s.createdByQuery)) ?? all[0];
}

function encodeWith(format: string, columns: DataSource['schema']['columns'], target: 'KEY' | 'VALUE', fmt: FormatOptions, v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  switch (format) {
    case 'JSON':
      return Buffer.from(testJsonText(v, columns, isUnwrappedSingle('JSON', target, columns, fmt)));
    case 'DELIMITED':
      return Buffer.from(typeof v === 'string' ? v : v instanceof JsonNumber ? v.text : String(v));
    case 'NONE':
      return null;
    default: {
      const serde = createSerde(format as FormatName, target, columns, fmt);
      const values = isUnwrappedSingle(format as FormatName, target, columns, fmt)
        ? [fromTestValue(v, columns[0]!.type)]
        : columns.map((c) => fromTestValue(fieldOf(v as Record<string, unknown>, c.name), c.type));
      return serde.serialize(values);
    }
  }
}

export async function produceInput(engine: Engine, r: TestRecord): Promise<void> {
  const source = sourceForTopic(engine, r.topic, false);
  let key: Buffer | null = null;
  let value: Buffer | null = null;
  if (source) {
    const opts = (f: DataSource['keyFormat']): FormatOptions => ({ ...f, topic: source.topic, schemaRegistry: engine.schemaRegistry });
    key = encodeWith(source.keyFormat.format, keyColumns(source.schema), 'KEY', opts(source.keyFormat), r.key);
    value = encodeWith(source.valueFormat.format, valueColumns(source.schema), 'VALUE', opts(source.valueFormat), r.value);
    await engine.flushSchemaRegistrations();
  } else {
    key = r.key === undefined || r.key === null ? null : Buffer.from(typeof r.key === 'string' ? r.key : stringifyTestJson(r.key));
    value = r.value === null ? null : Buffer.from(stringifyTestJson(r.value));
  }
  if (source?.window && r.window) key = windowedKeyBytes(key, r.window, source.window.type);
  const headers = (r.headers ?? []).map((h) => ({ key: h.KEY, value: h.VALUE === null ? null : Buffer.from(h.VALUE, 'base64') }));
  await engine.log.produce([{ topic: r.topic, key, value, timestamp: r.timestamp ?? 0, headers }]);
}

function decodeWith(format: string | undefined, columns: DataSource['schema']['columns'], target: 'KEY' | 'VALUE', fmt: FormatOptions | undefined, bytes: Buffer | null): unknown {
  if (bytes === null) return null;
  switch (format) {
    case undefined:
    case 'JSON':
      return parseJsonLoose(bytes.toString('utf8'));
    case 'DELIMITED':
      return bytes.toString('utf8');
    case 'NONE':
      return null;
    default: {
      const values = createSerde(format as FormatName, target, columns, fmt!).deserialize(bytes);
      if (values === null) return null;
      return isUnwrappedSingle(format as FormatName, target, columns, fmt!)
        ? toTestValue(values[0])
        : Object.fromEntries(columns.map((c, i) => [c.name, toTestValue(values[i])]));
    }
  }
}

export async function readOutputs(engine: Engine, expected: readonly TestRecord[]): Promise<ActualRecord[]> {
  const topics = [...new Set(expected.map((r) => r.topic))];
  const result: ActualRecord[] = [];
  const existing = new Set(await engine.log.listTopics());
  for (const topic of topics) {
    if (!existing.has(topic)) continue;
    const source = sourceForTopic(engine, topic, true);
    const desc = await engine.log.describeTopic(topic);
    const perPartition: ActualRecord[][] = [];
    for (const p of desc.partitions) {
      const out: ActualRecord[] = [];
      perPartition.push(out);
      let offset = p.logStartOffset;
      for (;;) {
        const batch = await engine.log.fetch(topic, p.partition, offset, { maxRecords: 10_000 });
        for (const rec of batch.records) {
          const split = source?.window && rec.key ? splitWindowedKey(rec.key, source.window) : undefined;
          const keyBytes = split ? split.keyBytes : rec.key;
          const opts = (f: DataSource['keyFormat']): FormatOptions => ({ ...f, topic, schemaRegistry: engine.schemaRegistry });
          const key = source ? decodeWith(source.keyFormat.format, keyColumns(source.schema), 'KEY', opts(source.keyFormat), keyBytes) : rec.key?.toString('utf8') ?? null;
          const value = source ? decodeWith(source.valueFormat.format, valueColumns(source.schema), 'VALUE', opts(source.valueFormat), rec.value) : decodeWith(undefined, [], 'VALUE', undefined, rec.value);
          const window = split ? { ...split.window, type: source!.window!.type === 'SESSION' ? 'session' : 'time' } : undefined;
          out.push({ topic, key, value, timestamp: rec.timestamp, ...(window ? { window } : {}) });
        }
        if (batch.nextOffset === offset || batch.records.length === 0) break;
        offset = batch.nextOffset;
      }
    }
    // ksqlDB's test driver sees one output sequence; merge partitions by timestamp, each in its order
    result.push(...mergeByTimestamp(perPartition));
  }
  return result;
}

/**
 * Like ksqlDB's test tool, JSON values are read through the sink's schema: fields it does not
 * have are dropped and missing ones read as NULL (a field matches a column exactly, else upper-cased).
 */
function throughSinkSchema<R extends { topic: string; value: unknown }>(engine: Engine, r: R): R {
  const source = sourceForTopic(engine, r.topic, true);
  const v = r.value;
  if (!source || source.valueFormat.format !== 'JSON' || v === null || typeof v !== 'object' || Array.isArray(v)) return r;
  const columns = valueColumns(source.schema);
  if (columns.length === 1 && source.valueFormat.wrapSingleValue === false) return r;
  const o = v as Record<string, unknown>;
  const field = (name: string) => {
    if (name in o) return o[name];
    const k = Object.keys(o).find((x) => x.toUpperCase() === name);
    return k === undefined ? null : o[k];
  };
  const value = Object.fromEntries(columns.map((c) => [c.name, field(c.name)]));
  return { ...r, value };
}

/** A stable k-way merge: the earliest head record first, ties to the lower partition. */
function mergeByTimestamp(lists: ActualRecord[][]): ActualRecord[] {
  const heads = lists.map(() => 0);
  const merged: ActualRecord[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const r = lists[i]![heads[i]!];
      if (r && (best < 0 || r.timestamp < lists[best]![heads[best]!]!.timestamp)) best = i;
    }
    if (best < 0) return merged;
    merged.push(lists[best]![heads[best]!++]!);
  }
}

const show = (r: { topic: string; key?: unknown; value: unknown; timestamp?: number; window?: TestRecord['window'] }) =>
  `${r.topic}  key=${stringifyTestJson(r.key ?? null)}  value=${stringifyTestJson(r.value)}${r.timestamp !== undefined ? `  ts=${r.timestamp}` : ''}${
    r.window ? `  window=${r.window.type}[${r.window.start},${r.window.end})` : ''
  }`;

function sameWindow(expected: NonNullable<TestRecord['window']>, actual: ActualRecord['window']): boolean {
  return !!actual && expected.start === actual.start && expected.end === actual.end && expected.type.toLowerCase() === actual.type.toLowerCase();
}

function compareOutputs(expected: readonly TestRecord[], actual: readonly ActualRecord[]): void {
  const problems: string[] = [];
  const topics = [...new Set(expected.map((r) => r.topic))];
  for (const topic of topics) {
    const want = expected.filter((r) => r.topic === topic);
    const got = actual.filter((r) => r.topic === topic);
    const n = Math.max(want.length, got.length);
    for (let i = 0; i < n; i++) {
      const w = want[i];
      const g = got[i];
      if (!w) problems.push(`  unexpected  ${show(g!)}`);
      else if (!g) problems.push(`  missing     ${show(w)}`);
      else if (
        !testValuesEqual(w.key ?? null, g.key) ||
        !testValuesEqual(w.value, g.value) ||
        (w.timestamp !== undefined && w.timestamp !== g.timestamp) ||
        (w.window !== undefined && !sameWindow(w.window, g.window))
      )
        problems.push(`  expected    ${show(w)}\n  actual      ${show(g)}`);
    }
  }
  if (problems.length) throw new CaseFailure(`output records differ:\n${problems.join('\n')}`);
}

/** The source's schema as SQL column definitions (reserved words quoted, so it parses back). */
function schemaSql(source: DataSource): string {
  return source.schema.columns
    .map((c) => {
      const suffix = c.namespace === 'KEY' ? ' KEY' : c.namespace === 'HEADERS' ? ' HEADERS' : c.namespace === 'HEADER' ? ` HEADER('${c.headerKey}')` : '';
      return `${quoteIdentifier(c.name)} ${formatSqlType(c.type)}${suffix}`;
    })
    .join(', ');
}

function canonicalSchema(schema: string): string {
  try {
    const stmt = parseStatement(`CREATE STREAM S (${schema}) WITH (KAFKA_TOPIC='t');`);
    if (stmt.kind !== 'CreateSource') return schema;
    // ksqlDB's expected schemas say KEY or PRIMARY KEY for table keys interchangeably
    const columns = stmt.columns.map((c) => (c.constraint === 'PRIMARY_KEY' ? { ...c, constraint: 'KEY' as const } : c));
    return formatStatement({ ...stmt, columns });
  } catch {
    return schema;
  }
}

async function checkPost(engine: Engine, tc: TestCase): Promise<void> {
  const post = tc.post;
  if (!post) return;
  const problems: string[] = [];
  for (const s of post.sources ?? []) {
    const source = engine.catalog.getSource(s.name);
    if (!source) {
      problems.push(`  source ${s.name} does not exist`);
      continue;
    }
    if (s.type && s.type.toUpperCase() !== source.sourceType) problems.push(`  ${s.name} is a ${source.sourceType}, expected ${s.type}`);
    if (s.schema !== undefined && canonicalSchema(s.schema) !== canonicalSchema(schemaSql(source)))
      problems.push(`  ${s.name} schema:\n    expected ${s.schema}\n    actual   ${schemaSql(source)}`);
    if (s.keyFormat?.format && s.keyFormat.format.toUpperCase() !== source.keyFormat.format) problems.push(`  ${s.name} key format ${source.keyFormat.format}, expected ${s.keyFormat.format}`);
    if (s.valueFormat && s.valueFormat.toUpperCase() !== source.valueFormat.format) problems.push(`  ${s.name} value format ${source.valueFormat.format}, expected ${s.valueFormat}`);
  }
  if (post.topics?.blacklist) {
    const re = new RegExp(`^${post.topics.blacklist}$`);
    for (const t of await engine.log.listTopics()) if (re.test(t)) problems.push(`  topic ${t} should not exist`);
  }
  if (problems.length) throw new CaseFailure(`post conditions failed:\n${problems.join('\n')}`);
}

/** Compares outputs as runCase does (through the sink's schema); shared with the REST runner. */
export function compareCaseOutputs(engine: Engine, expected: readonly TestRecord[], actual: readonly ActualRecord[]): void {
  compareOutputs(expected.map((r) => throughSinkSchema(engine, r)), actual.map((r) => throughSinkSchema(engine, r)));
}
