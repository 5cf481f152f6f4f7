/**
 * The comparison cases shared by Kafka's harness (Harness.java) and Sluice: a case names a
 * converter, transform or predicate by class, its config and an input record whose key, value and
 * headers are JsonConverter envelopes; runSluice() runs it through Sluice's implementation and
 * answers in the harness's shape, and comparable() puts both in a form to assert equal.
 */
import { DataError, ConnectConfigError, type ConnectHeader, type ConnectRecord, type SinkRecord, type SourceRecord, type Transformation } from '../../../src/connect/api/index.js';
import { BUILTIN_CONVERTERS, BUILTIN_HEADER_CONVERTERS, JsonConverter, parseJsonNode, type JsonNode } from '../../../src/connect/converters/index.js';
import { BUILTIN_PREDICATES, BUILTIN_TRANSFORMS, predicated } from '../../../src/connect/transforms/index.js';

/** an envelope: JSON ({"schema":..,"payload":..}), or its exact text, or null for a null key/value */
export type Envelope = unknown;

export interface HarnessRecord {
  readonly topic: string;
  readonly partition?: number | null;
  readonly key?: Envelope;
  readonly value?: Envelope;
  readonly timestamp?: number | null;
  readonly headers?: readonly { key: string; value: Envelope }[];
  /** present: a SinkRecord at this offset; absent: a SourceRecord */
  readonly offset?: number;
}

interface CaseBase {
  readonly id: string;
  readonly class: string;
  readonly config?: Readonly<Record<string, string>>;
  readonly decimalFormat?: 'BASE64' | 'NUMERIC';
  /** why the error messages may differ (the error kind is still compared) */
  readonly messageDiffers?: string;
}

export type HarnessCase =
  | (CaseBase & { readonly kind: 'transform'; readonly record: HarnessRecord; readonly predicate?: { class: string; config?: Record<string, string>; negate?: boolean } })
  | (CaseBase & { readonly kind: 'predicate'; readonly record: HarnessRecord })
  | (CaseBase & { readonly kind: 'converter' | 'headerConverter'; readonly isKey?: boolean; readonly op: 'fromConnect'; readonly data: Envelope })
  | (CaseBase & { readonly kind: 'converter' | 'headerConverter'; readonly isKey?: boolean; readonly op: 'toConnect'; readonly bytes: string | null });

export interface HarnessError {
  readonly kind: 'data' | 'config' | 'other';
  readonly class: string;
  readonly message: string | null;
}

export interface HarnessOutcome {
  readonly result?: Record<string, unknown>;
  readonly error?: HarnessError;
}

function envelopeConverter(decimalFormat: string): JsonConverter {
  const conv = new JsonConverter();
  conv.configure({ 'schemas.enable': 'true', 'decimal.format': decimalFormat }, false);
  return conv;
}

function read(conv: JsonConverter, envelope: Envelope): { schema: ConnectRecord['valueSchema']; value: unknown } {
  if (envelope === null || envelope === undefined) return { schema: null, value: null };
  const text = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  return conv.toConnectData('t', [], Buffer.from(text, 'utf8'));
}

function render(conv: JsonConverter, schema: ConnectRecord['valueSchema'], value: unknown): string | null {
  const bytes = conv.fromConnectData('t', [], schema, value);
  return bytes === null ? null : bytes.toString('utf8');
}

function buildRecord(conv: JsonConverter, r: HarnessRecord): ConnectRecord {
  const key = read(conv, r.key);
  const value = read(conv, r.value);
  const headers: ConnectHeader[] = (r.headers ?? []).map((h) => {
    const hv = read(conv, h.value);
    return { key: h.key, schema: hv.schema, value: hv.value };
  });
  const base: ConnectRecord = {
    topic: r.topic,
    kafkaPartition: r.partition ?? null,
    keySchema: key.schema,
    key: key.value,
    valueSchema: value.schema,
    value: value.value,
    timestamp: r.timestamp ?? null,
    headers,
  };
  if (r.offset !== undefined) {
    const sink: SinkRecord = { ...base, kafkaPartition: r.partition ?? 0, kafkaOffset: BigInt(r.offset), timestampType: 'CreateTime', originalTopic: r.topic, originalKafkaPartition: r.partition ?? 0, originalKafkaOffset: BigInt(r.offset) };
    return sink;
  }
  const source: SourceRecord = { ...base, sourcePartition: {}, sourceOffset: {} };
  return source;
}

function errorOf(err: unknown): HarnessError {
  const e = err as Error;
  return { kind: e instanceof DataError ? 'data' : e instanceof ConnectConfigError ? 'config' : 'other', class: e?.constructor?.name ?? 'unknown', message: e?.message ?? String(err) };
}

function runCase(c: HarnessCase): Record<string, unknown> {
  const conv = envelopeConverter(c.decimalFormat ?? 'BASE64');
  if (c.kind === 'headerConverter') {
    const factory = BUILTIN_HEADER_CONVERTERS[c.class];
    if (!factory) throw new Error(`no header converter ${c.class}`);
    const hc = factory();
    hc.configure(c.config ?? {});
    if (c.op === 'fromConnect') {
      const data = read(conv, c.data);
      const bytes = hc.fromConnectHeader('t', 'h', data.schema, data.value);
      return { bytes: bytes === null ? null : bytes.toString('base64') };
    }
    const data = hc.toConnectHeader('t', 'h', c.bytes === null ? null : Buffer.from(c.bytes, 'base64'));
    return { data: render(conv, data.schema, data.value) };
  }
  if (c.kind === 'converter') {
    const factory = BUILTIN_CONVERTERS[c.class];
    if (!factory) throw new Error(`no converter ${c.class}`);
    const converter = factory();
    converter.configure(c.config ?? {}, c.isKey ?? false);
    if (c.op === 'fromConnect') {
      const data = read(conv, c.data);
      const bytes = converter.fromConnectData('t', [], data.schema, data.value);
      return { bytes: bytes === null ? null : bytes.toString('base64') };
    }
    const data = converter.toConnectData('t', [], c.bytes === null ? null : Buffer.from(c.bytes, 'base64'));
    return { data: render(conv, data.schema, data.value) };
  }
  if (c.kind !== 'transform' && c.kind !== 'predicate') throw new Error('unreachable');
  const record = buildRecord(conv, c.record);
  if (c.kind === 'predicate') {
    const p = BUILTIN_PREDICATES[c.class]!();
    p.configure(c.config ?? {});
    return { test: p.test(record) };
  }
  const factory = BUILTIN_TRANSFORMS[c.class];
  if (!factory) throw new Error(`no transform ${c.class}`);
  let t: Transformation = factory();
  t.configure(c.config ?? {});
  if (c.predicate) {
    const p = BUILTIN_PREDICATES[c.predicate.class]!();
    p.configure(c.predicate.config ?? {});
    t = predicated(t, p, c.predicate.negate ?? false);
  }
  const out = t.apply(record);
  if (out === null) return { dropped: true };
  return {
    topic: out.topic,
    partition: out.kafkaPartition,
    timestamp: out.timestamp,
    key: render(conv, out.keySchema, out.key),
    value: render(conv, out.valueSchema, out.value),
    headers: out.headers.map((h) => ({ key: h.key, value: render(conv, h.schema, h.value) })),
  };
}

export function runSluice(c: HarnessCase): HarnessOutcome {
  try {
    return { result: runCase(c) };
  } catch (err) {
    return { error: errorOf(err) };
  }
}

/** JSON text with object keys sorted (Java's HashMap order is not meaningful) and numbers exactly as written */
export function canonicalJson(text: string | null): string | null {
  if (text === null) return null;
  const node = parseJsonNode(text);
  return node ? canon(node) : text;
}

function canon(n: JsonNode): string {
  switch (n.kind) {
    case 'object':
      return `{${[...n.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canon(v)}`).join(',')}}`;
    case 'array':
      return `[${n.items.map(canon).join(',')}]`;
    case 'number':
      return n.text;
    case 'string':
      return JSON.stringify(n.value);
    case 'boolean':
      return String(n.value);
    case 'binary':
      return JSON.stringify(n.value.toString('base64'));
    case 'null':
      return 'null';
  }
}

/** the parts of an outcome that must agree */
export function comparable(c: HarnessCase, o: HarnessOutcome): unknown {
  if (o.error) return { error: o.error.kind, message: c.messageDiffers ? '(not compared)' : o.error.message };
  const r = { ...o.result } as Record<string, unknown>;
  for (const k of ['key', 'value', 'data']) if (k in r) r[k] = canonicalJson(r[k] as string | null);
  if (Array.isArray(r['headers'])) r['headers'] = (r['headers'] as { key: string; value: string | null }[]).map((h) => ({ key: h.key, value: canonicalJson(h.value) }));
  return r;
}
