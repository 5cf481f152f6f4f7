/**
 * Runs a REST conformance case (ksqlDB's rest-query-validation-tests) as ksqlDB's REST test
 * runner does: the statements before the first SELECT are "admin" statements, each answering
 * with an entity; then the inputs are produced (or, with `inputConditions`, right after the first
 * push query's header), the persistent queries catch up, and each SELECT answers with a header
 * (`schema`, `queryId`), `row`s and, where ksqlDB sends one, a `finalMessage`. Expected responses
 * match field by field (a `key|STARTS_WITH` field by prefix); an expected error matches by
 * message; `outputs` are compared as the engine cases compare them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, formatSqlType, isSluiceError, parseStatement, toJsonValue } from '../../index.js';
import type { PushQuery, ResultColumn, RowChange, SqlType } from '../../index.js';
import { deriveProtobufSchema, protoFieldName } from '../../serde/protobuf/proto-derive.js';
import { javaDoubleToString } from '../../expr/index.js';
import type { CaseResult, RunCaseOptions } from './run-case.js';
import { caseRegistry, compareCaseOutputs, createTopics, produceInput, readOutputs, registerSchemas } from './run-case.js';
import type { TestCase } from './test-case.js';
import { testValuesEqual } from './test-values.js';
import { ServerTransport } from './server-transport.js';

class RestFailure extends Error {}

type Response = Record<string, unknown>;

/** ksqlDB's REST test harness creates the statements' topics with 4 partitions unless told */
const REST_DEFAULT_PARTITIONS = 4;

/** How long a push query without LIMIT is read once the engine is idle. */
const PUSH_IDLE_MS = 300;

export async function runRestCase(tc: TestCase, options: RunCaseOptions = {}): Promise<CaseResult> {
  const base = { file: tc.file, name: tc.name };
  if (tc.skip) return { ...base, status: 'SKIP', reason: tc.skip };
  const dir = await mkdtemp(join(tmpdir(), 'sluice-rest-'));
  // the REST test server's own configuration, which a case's properties override
  const properties: Record<string, string> = {
    'auto.offset.reset': 'earliest',
    'ksql.query.pull.table.scan.enabled': 'true',
    'ksql.query.push.v2.enabled': 'true',
  };
  for (const [k, v] of Object.entries(tc.properties)) properties[k] = String(v);
  let engine: Engine | undefined;
  try {
    const registry = caseRegistry(properties, options);
    engine = await Engine.open({ dataDir: dir, properties, ...(registry ? { registry } : {}) });
    await createTopics(engine, tc, REST_DEFAULT_PARTITIONS);
    await registerSchemas(engine, tc);
    const firstQuery = tc.statements.findIndex((s) => /^\s*SELECT\s/i.test(s));
    const admin = firstQuery < 0 ? tc.statements : tc.statements.slice(0, firstQuery);
    const queries = firstQuery < 0 ? [] : tc.statements.slice(firstQuery);
    const responses: Response[] = [];
    const expectedError = tc.expectedError;
    const failWith = (e: unknown): CaseResult => {
      const message = e instanceof Error ? e.message : String(e);
      if (!expectedError) throw new RestFailure(`statement failed: ${isSluiceError(e) || !(e instanceof Error) ? message : e.stack ?? message}`);
      if (expectedError.message && !message.includes(expectedError.message))
        throw new RestFailure(`expected an error containing:\n    ${expectedError.message}\n  but got:\n    ${message}`);
      if (!isSluiceError(e)) throw new RestFailure(`expected a clean error but got an internal one: ${message}`);
      return { ...base, status: 'PASS' };
    };
    const server = options.viaServer ? await ServerTransport.start(engine) : undefined;
    try {
    for (const sql of admin) {
      try {
        if (server) for (const entity of await server.statement(sql)) responses.push({ admin: entity });
        else for (const r of await engine.execute(sql)) if (r.kind !== 'InsertValues') responses.push({ admin: { '@type': 'currentStatus', statementText: r.statement } });
      } catch (e) {
        return failWith(e);
      }
    }
    const afterHeader = !!(tc.inputConditions?.waitForQueryHeader || tc.inputConditions?.waitForActivePushQuery);
    // one record at a time, each processed fully: the order Kafka Streams' timestamp-ordered
    // processing gives these small inputs (as the engine cases' runner does)
    const produceAll = async () => {
      for (const input of tc.inputs) {
        await produceInput(engine!, input);
        await engine!.runUntilIdle();
      }
    };
    if (!afterHeader) await produceAll();
    if (!expectedError && (tc.responses?.length ?? 0) > admin.length) await engine.runUntilIdle();
    let produced = !afterHeader;
    for (const sql of queries) {
      let answer: Response[];
      try {
        const afterQueryHeader = async () => {
          if (!produced) {
            produced = true;
            await produceAll();
          }
        };
        answer = server ? await server.query(sql, afterQueryHeader, () => idleThen(engine!, PUSH_IDLE_MS)) : await runQuery(engine, sql, afterQueryHeader);
      } catch (e) {
        return failWith(e);
      }
      responses.push({ query: answer });
    }
    // the REST API's protobuf output format, asked for by `testPullWithProtoFormat` cases: each pull query again
    if (tc.testPullWithProtoFormat) for (const sql of queries) if (!/EMIT\s+CHANGES/i.test(sql)) responses.push({ queryProto: await runProtoPull(engine, sql) });
    if (expectedError) throw new RestFailure(`expected an error${expectedError.message ? ` containing "${expectedError.message}"` : ''}, but every statement succeeded`);
    if (tc.outputs.length) {
      await engine.runUntilIdle();
      const actual = await readOutputs(engine, tc.outputs);
      compareCaseOutputs(engine, tc.outputs, actual);
    }
    verifyResponses(responses, tc.responses ?? []);
    return { ...base, status: 'PASS' };
    } finally {
      await server?.close();
    }
  } catch (e) {
    if (e instanceof RestFailure) return { ...base, status: 'FAIL', reason: e.message };
    if (e instanceof Error && e.constructor.name === 'CaseFailure') return { ...base, status: 'FAIL', reason: e.message };
    return { ...base, status: 'FAIL', reason: `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
  } finally {
    await engine?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

/** ksqlDB's header schema text: `NAME` TYPE [KEY], ... */
function schemaText(columns: readonly ResultColumn[]): string {
  return columns.map((c) => `\`${c.name}\` ${formatSqlType(c.type)}${c.key ? ' KEY' : ''}`).join(', ');
}

function rowResponse(change: RowChange): Response {
  const columns = change.values.map(toJsonValue);
  return { row: change.tombstone ? { columns, tombstone: true } : { columns } };
}

async function runQuery(engine: Engine, sql: string, afterHeader: () => Promise<void>): Promise<Response[]> {
  const stmt = parseStatement(sql);
  if (stmt.kind !== 'QueryStatement') throw new RestFailure(`not a query: ${sql}`);
  if (stmt.query.emit !== 'CHANGES') {
    const result = await engine.pull(sql);
    const out: Response[] = [{ header: { queryId: 'query_pull', schema: schemaText(result.columns) } }, ...result.values.map((values) => rowResponse({ values, tombstone: false }))];
    const source = engine.catalog.getSource(stmt.query.from.kind === 'SourceRelation' ? stmt.query.from.name : '');
    if (source?.sourceType === 'STREAM') out.push({ finalMessage: stmt.query.limit !== undefined && result.values.length >= stmt.query.limit ? 'Limit Reached' : 'Query Completed' });
    await afterHeader();
    return out;
  }
  const query: PushQuery = await engine.query(sql);
  const out: Response[] = [{ header: { queryId: query.queryId, schema: schemaText(query.columns) } }];
  await afterHeader();
  const limit = stmt.query.limit;
  const changes = query.changes();
  try {
    for (;;) {
      // without LIMIT, read until the engine is idle and nothing more arrives
      const next = changes.next();
      const settled = limit === undefined ? await Promise.race([next, idleThen(engine, PUSH_IDLE_MS)]) : await next;
      if (settled === 'idle' || settled.done) break;
      out.push(rowResponse(settled.value));
    }
  } finally {
    await query.close();
  }
  if (limit !== undefined && (await query.ended) === 'limit') out.push({ finalMessage: 'Limit Reached' });
  return out;
}

async function runProtoPull(engine: Engine, sql: string): Promise<Response[]> {
  const stmt = parseStatement(sql);
  const result = await engine.pull(sql);
  const fields = result.columns.map((c) => ({ name: c.name, type: c.type }));
  const out: Response[] = [{ header: { protoSchema: deriveProtobufSchema(fields) } }, ...result.values.map((v) => ({ row: protoText(fields, v) }))];
  const source = stmt.kind === 'QueryStatement' && stmt.query.from.kind === 'SourceRelation' ? engine.catalog.getSource(stmt.query.from.name) : undefined;
  if (source?.sourceType === 'STREAM') out.push({ finalMessage: 'Query Completed' });
  return out;
}

/** protobuf's text format of a row, as its Java TextFormat prints it (proto3: default values omitted). */
function protoText(fields: readonly { name: string; type: SqlType }[], values: readonly unknown[], indent = ''): string {
  let out = '';
  fields.forEach((f, i) => {
    const v = values[i];
    if (v === null || v === undefined) return;
    const name = protoFieldName(f.name);
    const scalar = (x: unknown, t: SqlType): string | undefined => {
      switch (t.kind) {
        case 'STRING':
          return x === '' ? undefined : `"${escapeProtoBytes(Buffer.from(String(x), 'utf8'))}"`;
        case 'BYTES':
          return (x as Buffer).length ? `"${escapeProtoBytes(x as Buffer)}"` : undefined;
        case 'BOOLEAN':
          return x ? 'true' : undefined;
        case 'DOUBLE':
          return x === 0 ? undefined : javaDoubleToString(x as number);
        default:
          return String(x) === '0' ? undefined : String(x);
      }
    };
    if (f.type.kind === 'STRUCT') {
      const st = f.type;
      out += `${indent}${name} {\n${protoText(st.fields, st.fields.map((sf) => (v as Record<string, unknown>)[sf.name]), indent + '  ')}${indent}}\n`;
    } else if (f.type.kind === 'ARRAY') {
      const el = f.type.element;
      for (const x of v as unknown[]) out += `${indent}${name}: ${scalar(x, el) ?? (el.kind === 'STRING' || el.kind === 'BYTES' ? '""' : '0')}\n`;
    } else {
      const text = scalar(v, f.type);
      if (text !== undefined) out += `${indent}${name}: ${text}\n`;
    }
  });
  return out;
}

function escapeProtoBytes(b: Buffer): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 92: '\\\\', 39: "\\'", 34: '\\"' };
  let s = '';
  for (const c of b) s += named[c] ?? (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`);
  return s;
}

async function idleThen(engine: Engine, ms: number): Promise<'idle'> {
  await engine.runUntilIdle();
  await new Promise((r) => setTimeout(r, ms));
  return 'idle';
}

function verifyResponses(actual: readonly Response[], expected: readonly Response[]): void {
  if (actual.length < expected.length)
    throw new RestFailure(`not enough responses: expected ${expected.length}, got ${actual.length}\n  got: ${JSON.stringify(actual, replacer)}`);
  expected.forEach((exp, i) => {
    const [type, payload] = Object.entries(exp)[0]!;
    const act = actual[i]!;
    if (!(type in act)) throw new RestFailure(`responses[${i}]: expected a ${type} response, got ${JSON.stringify(act, replacer)}`);
    if (type === 'query') {
      const rows = act.query as Response[];
      const want = payload as Response[];
      if (rows.length !== want.length)
        throw new RestFailure(`responses[${i}]: row count mismatch\n  expected: ${JSON.stringify(want)}\n  got:      ${JSON.stringify(rows, replacer)}`);
      want.forEach((w, j) => matchFields(rows[j]!, w, `responses[${i}]->query[${j}]`));
    } else matchFields(act[type] as Response, payload as Response, `responses[${i}]->${type}`);
  });
}

function matchFields(actual: Response, expected: Response, path: string): void {
  for (const [rawKey, want] of Object.entries(expected)) {
    const [key, op] = rawKey.split('|') as [string, string | undefined];
    if (!actual || typeof actual !== 'object' || !(key in actual)) throw new RestFailure(`response mismatch at ${path}: no ${key} in ${JSON.stringify(actual, replacer)}`);
    const got = actual[key];
    if (want && typeof want === 'object' && !Array.isArray(want)) {
      matchFields(got as Response, want as Response, `${path}->${key}`);
      continue;
    }
    const ok = op?.toUpperCase() === 'STARTS_WITH' ? typeof got === 'string' && got.startsWith(String(want)) : testValuesEqual(want, jsonish(got));
    if (!ok) throw new RestFailure(`response mismatch at ${path}->${key}\n  expected: ${JSON.stringify(want)}\n  got:      ${JSON.stringify(got, replacer)}`);
  }
}

/** Decimal and bigint values as the JSON numbers the REST API sends. */
function jsonish(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, replacer));
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && (v as { constructor?: { name?: string } }).constructor?.name === 'Decimal') return Number(String(v));
  return v;
}
