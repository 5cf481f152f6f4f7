/**
 * What the main thread and a task thread say to each other (task-thread-pool.ts, task-thread-host.ts).
 *
 * Both sides send calls and answer them by id over the one channel: the main thread asks a thread
 * to create, step, check and close its tasks; a thread asks the main thread, the embedded log's
 * only writer, for everything that touches the log or the state keyspace (fetch, offsets, store
 * reads, commits). Record batches cross as one packed buffer (transferred, not copied) rather
 * than as objects, so neither side pays a structured clone per record.
 */
import { ConfigError, ExecutionError, LogError, SerdeError, SluiceError, StateError } from '../common/errors.js';
import { FetchedRecordObject } from '../log/fetched-record-object.js';
import type { FetchedRecord, ProduceRecord, RecordHeader } from '../log/log.js';
import { writeNameTable } from '../common/name-table.js';

export interface CallMessage {
  readonly type: 'call';
  readonly id: number;
  readonly op: string;
  readonly args: unknown[];
}

export interface ReplyMessage {
  readonly type: 'reply';
  readonly id: number;
  readonly value?: unknown;
  readonly error?: WireError;
}

/** one-way notices from a thread: processing-log entries */
export interface EventMessage {
  readonly type: 'event';
  readonly event: string;
  readonly args: unknown[];
}

export type ThreadMessage = CallMessage | ReplyMessage | EventMessage;

/** an error as plain data; rebuilt as the same class where the runtime tells them apart */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly context?: Record<string, unknown>;
  readonly causes: string[];
}

export function toWireError(e: unknown): WireError {
  const causes: string[] = [];
  for (let c = e instanceof Error ? e.cause : undefined; c !== undefined && causes.length < 8; c = c instanceof Error ? c.cause : undefined) {
    causes.push(c instanceof Error ? c.message : String(c));
  }
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), causes };
  const extra = e as { code?: unknown; context?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof extra.code === 'string' ? { code: extra.code } : {}),
    ...(extra.context && typeof extra.context === 'object' ? { context: extra.context as Record<string, unknown> } : {}),
    causes,
  };
}

export function fromWireError(w: WireError): Error {
  // the causes' messages survive as a chain of plain errors (the processing log lists them)
  let cause: Error | undefined;
  for (const m of [...w.causes].reverse()) cause = new Error(m, cause ? { cause } : undefined);
  const options = cause ? { cause } : undefined;
  let e: Error;
  switch (w.name) {
    case 'LogError':
      e = new LogError(w.message, w.code as LogError['code'], (w.context ?? {}) as LogError['context']);
      break;
    case 'ExecutionError':
      e = new ExecutionError(w.message, (w.context ?? {}) as ExecutionError['context'], options);
      break;
    case 'StateError':
      e = new StateError(w.message, options);
      break;
    case 'ConfigError':
      e = new ConfigError(w.message, options);
      break;
    case 'SerdeError':
      e = new SerdeError(w.message, undefined, options);
      break;
    default:
      e = new Error(w.message, options);
      if (w.name !== 'Error') e.name = w.name;
  }
  return e instanceof SluiceError || e.name === w.name ? e : Object.assign(e, { name: w.name });
}

/** A growable byte writer for the packed batches. */
class Packer {
  private buf: Buffer;
  private at = 0;

  /** `size`: the exact packed size when known (then done() hands the buffer over without a copy) */
  constructor(size = 1 << 16) {
    // its own uninitialised ArrayBuffer (not the pool's, which cannot be transferred; not zeroed)
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.at);
    this.at += 4;
  }

  i32(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v, this.at);
    this.at += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.at);
    this.at += 8;
  }

  bytes(b: Buffer | Uint8Array | null | undefined): void {
    if (b === null || b === undefined) return this.i32(-1);
    this.i32(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.i32(n);
    this.room(n);
    this.buf.write(s, this.at);
    this.at += n;
  }

  headers(hs: readonly RecordHeader[] | undefined): void {
    this.u32(hs?.length ?? 0);
    for (const h of hs ?? []) {
      this.str(h.key);
      this.bytes(h.value);
    }
  }

  /** a standalone copy (its own ArrayBuffer, so it can be transferred) */
  done(): Uint8Array {
    if (this.at === this.buf.length && this.buf.byteOffset === 0 && this.buf.buffer.byteLength === this.at) return new Uint8Array(this.buf.buffer, 0, this.at);
    const out = new Uint8Array(this.at);
    out.set(this.buf.subarray(0, this.at));
    return out;
  }
}

class Unpacker {
  private at = 0;
  private readonly buf: Buffer;

  constructor(data: Uint8Array) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  i32(): number {
    const v = this.buf.readInt32LE(this.at);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  /** a view into the batch, not a copy */
  bytes(): Buffer | null {
    const n = this.i32();
    if (n < 0) return null;
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  str(): string {
    const n = this.i32();
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  headers(): RecordHeader[] {
    const n = this.u32();
    const hs: RecordHeader[] = [];
    for (let i = 0; i < n; i++) hs.push({ key: this.str(), value: this.bytes() });
    return hs;
  }
}

const lengthOf = (b: Buffer | Uint8Array | null | undefined) => 4 + (b ? b.length : 0);

function headersLength(hs: readonly RecordHeader[] | undefined): number {
  let n = 4;
  if (hs) for (const h of hs) n += 4 + Buffer.byteLength(h.key) + lengthOf(h.value);
  return n;
}

/** Fetched records of one partition (offsets below 2^53, as the embedded log's are). */
export function packFetched(records: readonly FetchedRecord[]): Uint8Array {
  let size = 4;
  for (const r of records) size += 16 + lengthOf(r.key) + lengthOf(r.value) + headersLength(r.headers);
  const p = new Packer(size);
  p.u32(records.length);
  for (const r of records) {
    p.f64(Number(r.offset));
    p.f64(r.timestamp);
    p.bytes(r.key);
    p.bytes(r.value);
    p.headers(r.headers);
  }
  return p.done();
}

export function unpackFetched(data: Uint8Array, topic: string, partition: number): FetchedRecord[] {
  const u = new Unpacker(data);
  const n = u.u32();
  const out: FetchedRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const offset = BigInt(u.f64());
    const timestamp = u.f64();
    const key = u.bytes();
    const value = u.bytes();
    out[i] = new FetchedRecordObject(topic, partition, offset, key, value, timestamp, u.headers());
  }
  return out;
}

/**
 * Records to produce, each with its own topic (sink, repartition and changelog records mix).
 * Written in one pass over an exact-size buffer (this runs on a task thread for every record).
 */
export function packProduce(records: readonly ProduceRecord[]): Uint8Array {
  const topics = new Map<string, number>();
  const names: Buffer[] = [];
  let size = 8;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!topics.has(r.topic)) {
      topics.set(r.topic, topics.size);
      const name = Buffer.from(r.topic);
      names.push(name);
      size += 4 + name.length;
    }
    size += 28 + (r.key ? r.key.length : 0) + (r.value ? r.value.length : 0) + (r.headers === undefined ? 0 : headersLength(r.headers));
  }
  const buf = Buffer.allocUnsafeSlow(size);
  let at = writeNameTable(buf, names, 0);
  buf.writeUInt32LE(records.length, at);
  at += 4;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    buf.writeUInt32LE(topics.get(r.topic)!, at);
    buf.writeInt32LE(r.partition ?? -1, at + 4);
    buf.writeDoubleLE(r.timestamp ?? Number.NaN, at + 8);
    at += 16;
    at = putBytes(buf, at, r.key);
    at = putBytes(buf, at, r.value);
    if (r.headers === undefined) {
      buf.writeInt32LE(-1, at);
      at += 4;
    } else {
      buf.writeInt32LE(0, at);
      at += 4;
      const p = new Packer(headersLength(r.headers));
      p.headers(r.headers);
      const h = p.done();
      buf.set(h, at);
      at += h.length;
    }
  }
  return new Uint8Array(buf.buffer, 0, size);
}

/** writes a length-prefixed byte string (-1: null) at `at`; returns the offset after it */
function putBytes(buf: Buffer, at: number, b: Buffer | Uint8Array | null | undefined): number {
  if (b === null || b === undefined) {
    buf.writeInt32LE(-1, at);
    return at + 4;
  }
  buf.writeInt32LE(b.length, at);
  buf.set(b, at + 4);
  return at + 4 + b.length;
}

export function unpackProduce(data: Uint8Array): ProduceRecord[] {
  const u = new Unpacker(data);
  const topics: string[] = [];
  for (let i = u.u32(); i > 0; i--) topics.push(u.str());
  const n = u.u32();
  const out: ProduceRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const topic = topics[u.u32()]!;
    const partition = u.i32();
    const timestamp = u.f64();
    const key = u.bytes();
    const value = u.bytes();
    // assigned one by one rather than spread: this runs on the main thread for every record
    const r: ProduceRecord = { topic, key, value };
    if (partition >= 0) r.partition = partition;
    if (!Number.isNaN(timestamp)) r.timestamp = timestamp;
    if (u.i32() >= 0) r.headers = u.headers();
    out[i] = r;
  }
  return out;
}

/** State keyspace writes (null deletes). */
export function packWrites(writes: readonly { key: Buffer; value: Buffer | null }[]): Uint8Array {
  let size = 4;
  for (const w of writes) size += lengthOf(w.key) + lengthOf(w.value);
  const p = new Packer(size);
  p.u32(writes.length);
  for (const w of writes) {
    p.bytes(w.key);
    p.bytes(w.value);
  }
  return p.done();
}

export function unpackWrites(data: Uint8Array): { key: Buffer; value: Buffer | null }[] {
  const u = new Unpacker(data);
  const n = u.u32();
  const out = new Array<{ key: Buffer; value: Buffer | null }>(n);
  for (let i = 0; i < n; i++) out[i] = { key: u.bytes()!, value: u.bytes() };
  return out;
}

/** A Uint8Array that crossed the channel, as a Buffer without a copy. */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
