/**
 * io.confluent.connect.avro.AvroConverter over Sluice's embedded schema registry: Connect data as
 * Confluent's wire format (magic byte 0, big-endian schema id, Avro binary), with the Avro schema
 * derived from the Connect schema the way Confluent's AvroData does it (connect.name,
 * connect.version, connect.doc, connect.parameters, int8/int16 as `connect.type`, optional as a
 * union with null, Decimal/Date/Time/Timestamp as Avro logical types, maps with non-string keys
 * as arrays of MapEntry records). Schemas are registered under `<topic>-key` / `<topic>-value`.
 * Topics written this way are readable by Sluice's own AVRO format.
 */
import avro from 'avsc';
import { LRUCache } from 'lru-cache';
import { ConfigDef, DataError, LogicalTypeNames, Struct, type Converter, type ConnectHeader, type HeaderConverter, type Schema, type SchemaAndValue } from '../api/index.js';
import type { SchemaRegistry } from '../../serde/schema-registry.js';
import { converterConfigDef, converterProps } from './converter-config.js';
import { parseConfig } from '../transforms/util/transform-support.js';
import { dateFromLogical, decimalFromBytes, decimalScale, decimalToBytes, mapEntries, timeFromLogical } from './connect-values.js';

type AvroSchema = string | Record<string, unknown> | AvroSchema[];

const NAMESPACE = 'io.confluent.connect.avro';
const MILLIS_PER_DAY = 86_400_000;

/** avsc long as bigint (Connect INT64 values are bigints) */
const BigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** annotated primitives ({"type":"long","logicalType":...}) as plain names, so avsc uses the bigint long for them too */
function forAvsc(schema: AvroSchema): AvroSchema {
  if (Array.isArray(schema)) return schema.map(forAvsc);
  if (typeof schema === 'string') return schema;
  const type = schema['type'];
  if (typeof type === 'string' && PRIMITIVES.has(type)) return type;
  if (typeof type === 'object') return forAvsc(type as AvroSchema);
  const out: Record<string, unknown> = { ...schema };
  if (Array.isArray(schema['fields'])) out['fields'] = (schema['fields'] as Record<string, unknown>[]).map((f) => ({ ...f, type: forAvsc(f['type'] as AvroSchema) }));
  if (schema['items'] !== undefined) out['items'] = forAvsc(schema['items'] as AvroSchema);
  if (schema['values'] !== undefined) out['values'] = forAvsc(schema['values'] as AvroSchema);
  return out;
}

function parseAvro(schema: AvroSchema): avro.Type {
  return avro.Type.forSchema(forAvsc(schema) as avro.Schema, { registry: { long: BigLong }, wrapUnions: false });
}

/** Connect schema -> Avro schema (Confluent AvroData.fromConnectSchema) */
export class ConnectToAvro {
  private unnamed = 0;

  schema(s: Schema, top = true): AvroSchema {
    const base = this.nonOptional(s);
    return s.optional && top ? ['null', base] : base;
  }

  private props(s: Schema, target: Record<string, unknown>): Record<string, unknown> {
    if (s.doc !== undefined) target['connect.doc'] = s.doc;
    if (s.version !== undefined) target['connect.version'] = s.version;
    if (s.parameters) target['connect.parameters'] = { ...s.parameters };
    if (s.defaultValue !== undefined && s.defaultValue !== null && s.type !== 'STRUCT') target['connect.default'] = this.defaultJson(s, s.defaultValue);
    if (s.name !== undefined) target['connect.name'] = s.name;
    return target;
  }

  private nonOptional(s: Schema): AvroSchema {
    switch (s.name) {
      case LogicalTypeNames.decimal: {
        const scale = decimalScale(s);
        const precision = Number(s.parameters?.['connect.decimal.precision'] ?? 64);
        return this.props(s, { type: 'bytes', scale, precision, logicalType: 'decimal' });
      }
      case LogicalTypeNames.date:
        return this.props(s, { type: 'int', logicalType: 'date' });
      case LogicalTypeNames.time:
        return this.props(s, { type: 'int', logicalType: 'time-millis' });
      case LogicalTypeNames.timestamp:
        return this.props(s, { type: 'long', logicalType: 'timestamp-millis' });
      default:
        break;
    }
    const plain = (type: string, extra: Record<string, unknown> = {}): AvroSchema => {
      const out = this.props(s, { type, ...extra });
      return Object.keys(out).length === 1 ? type : out;
    };
    switch (s.type) {
      case 'INT8':
        return plain('int', { 'connect.type': 'int8' });
      case 'INT16':
        return plain('int', { 'connect.type': 'int16' });
      case 'INT32':
        return plain('int');
      case 'INT64':
        return plain('long');
      case 'FLOAT32':
        return plain('float');
      case 'FLOAT64':
        return plain('double');
      case 'BOOLEAN':
        return plain('boolean');
      case 'STRING':
        return plain('string');
      case 'BYTES':
        return plain('bytes');
      case 'ARRAY':
        return this.props(s, { type: 'array', items: this.schema(s.valueSchema!, true) });
      case 'MAP':
        if (s.keySchema!.type === 'STRING' && !s.keySchema!.optional) return this.props(s, { type: 'map', values: this.schema(s.valueSchema!, true) });
        return this.props(s, {
          type: 'array',
          items: { type: 'record', name: `MapEntry${this.unnamed++ || ''}`, namespace: NAMESPACE, fields: [{ name: 'key', type: this.schema(s.keySchema!, true) }, { name: 'value', type: this.schema(s.valueSchema!, true) }] },
        });
      case 'STRUCT': {
        const full = s.name ?? `${NAMESPACE}.ConnectDefault${this.unnamed++ || ''}`;
        const dot = full.lastIndexOf('.');
        const record: Record<string, unknown> = { type: 'record', name: full.slice(dot + 1) };
        if (dot > 0) record['namespace'] = full.slice(0, dot);
        if (s.doc !== undefined) record['doc'] = s.doc;
        record['fields'] = (s.fields ?? []).map((f) => {
          const field: Record<string, unknown> = { name: f.name, type: this.schema(f.schema, true) };
          if (f.schema.optional) field['default'] = null;
          else if (f.schema.defaultValue !== undefined && f.schema.defaultValue !== null) field['default'] = this.defaultJson(f.schema, f.schema.defaultValue);
          return field;
        });
        const props = this.props(s, {});
        delete props['connect.doc'];
        return { ...record, ...props };
      }
    }
  }

  /** a default value as Avro's JSON default */
  private defaultJson(s: Schema, v: unknown): unknown {
    if (typeof v === 'bigint') return Number(v);
    if (Buffer.isBuffer(v)) return v.toString('latin1');
    if (v instanceof Date) return s.name === LogicalTypeNames.date ? dateFromLogical(v) : v.getTime();
    if (s.name === LogicalTypeNames.decimal) return decimalToBytes(s, v as string).toString('latin1');
    return v;
  }
}

/** Connect value -> avsc value for the Avro schema made by ConnectToAvro */
function toAvroValue(s: Schema | null, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (!s) throw new DataError('AvroConverter needs a schema: schemaless data cannot be written as Avro');
  switch (s.name) {
    case LogicalTypeNames.decimal:
      return decimalToBytes(s, v as string);
    case LogicalTypeNames.date:
      return dateFromLogical(v as Date);
    case LogicalTypeNames.time:
      return timeFromLogical(v as Date);
    case LogicalTypeNames.timestamp:
      return BigInt((v as Date).getTime());
    default:
      break;
  }
  switch (s.type) {
    case 'INT64':
      return BigInt(v as number | bigint);
    case 'ARRAY':
      return (v as unknown[]).map((x) => toAvroValue(s.valueSchema!, x));
    case 'MAP': {
      const entries = mapEntries(v);
      if (s.keySchema!.type === 'STRING' && !s.keySchema!.optional) return Object.fromEntries(entries.map(([k, x]) => [k, toAvroValue(s.valueSchema!, x)]));
      return entries.map(([k, x]) => ({ key: toAvroValue(s.keySchema!, k), value: toAvroValue(s.valueSchema!, x) }));
    }
    case 'STRUCT': {
      const struct = v as Struct;
      const out: Record<string, unknown> = {};
      for (const f of s.fields ?? []) out[f.name] = toAvroValue(f.schema, struct.get(f.name));
      return out;
    }
    default:
      return v;
  }
}

/** Avro schema -> Connect schema (Confluent AvroData.toConnectSchema), for what Sluice and Connect write */
export function avroToConnect(a: AvroSchema, optional = false): Schema {
  if (Array.isArray(a)) {
    const nonNull = a.filter((x) => x !== 'null' && !(typeof x === 'object' && !Array.isArray(x) && x['type'] === 'null'));
    if (nonNull.length !== 1) throw new DataError('AvroConverter supports unions only of null and one other type');
    return avroToConnect(nonNull[0]!, optional || nonNull.length !== a.length);
  }
  const o: Record<string, unknown> = typeof a === 'string' ? { type: a } : a;
  const type = o['type'];
  if (typeof type === 'object') return avroToConnect(type as AvroSchema, optional);
  const extra: { -readonly [K in keyof Schema]?: Schema[K] } = {};
  if (typeof o['connect.name'] === 'string') extra.name = o['connect.name'];
  if (typeof o['connect.version'] === 'number') extra.version = o['connect.version'];
  if (typeof o['connect.doc'] === 'string') extra.doc = o['connect.doc'];
  if (o['connect.parameters'] && typeof o['connect.parameters'] === 'object') extra.parameters = { ...(o['connect.parameters'] as Record<string, string>) };
  const logical = o['logicalType'];
  const mk = (t: Schema['type'], more: Partial<Schema> = {}): Schema => ({ type: t, optional, ...extra, ...more });
  switch (type) {
    case 'null':
      throw new DataError('AvroConverter cannot read a null-only schema');
    case 'boolean':
      return mk('BOOLEAN');
    case 'int':
      if (logical === 'date') return mk('INT32', { name: LogicalTypeNames.date, version: 1 });
      if (logical === 'time-millis') return mk('INT32', { name: LogicalTypeNames.time, version: 1 });
      return mk(o['connect.type'] === 'int8' ? 'INT8' : o['connect.type'] === 'int16' ? 'INT16' : 'INT32');
    case 'long':
      if (logical === 'timestamp-millis') return mk('INT64', { name: LogicalTypeNames.timestamp, version: 1 });
      return mk('INT64');
    case 'float':
      return mk('FLOAT32');
    case 'double':
      return mk('FLOAT64');
    case 'string':
    case 'enum':
      return mk('STRING');
    case 'bytes':
    case 'fixed':
      if (logical === 'decimal') return mk('BYTES', { name: LogicalTypeNames.decimal, version: 1, parameters: { ...(extra.parameters ?? {}), scale: String(o['scale'] ?? 0) } });
      return mk('BYTES');
    case 'array': {
      const items = o['items'] as AvroSchema;
      const rec = typeof items === 'object' && !Array.isArray(items) ? items : undefined;
      if (rec && rec['type'] === 'record' && String(rec['name']).startsWith('MapEntry') && (rec['namespace'] === NAMESPACE || String(rec['name']).startsWith(`${NAMESPACE}.`))) {
        const [k, v] = rec['fields'] as { type: AvroSchema }[];
        return mk('MAP', { keySchema: avroToConnect(k!.type), valueSchema: avroToConnect(v!.type) });
      }
      return mk('ARRAY', { valueSchema: avroToConnect(items) });
    }
    case 'map':
      return mk('MAP', { keySchema: { type: 'STRING', optional: false }, valueSchema: avroToConnect(o['values'] as AvroSchema) });
    case 'record': {
      const ns = typeof o['namespace'] === 'string' ? `${o['namespace']}.` : '';
      const full = String(o['name']).includes('.') ? String(o['name']) : ns + String(o['name']);
      const fields = (o['fields'] as { name: string; type: AvroSchema }[]).map((f, index) => ({ name: f.name, index, schema: avroToConnect(f.type) }));
      const name = extra.name ?? (full.startsWith(`${NAMESPACE}.ConnectDefault`) ? undefined : full);
      const s: Schema = { ...mk('STRUCT', { fields }) };
      return name === undefined ? (({ name: _n, ...rest }) => rest)(s as Schema & { name?: string }) : { ...s, name };
    }
    default:
      throw new DataError(`AvroConverter cannot read Avro type ${String(type)}`);
  }
}

function fromAvroValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (s.name) {
    case LogicalTypeNames.decimal:
      return decimalFromBytes(s, v as Buffer);
    case LogicalTypeNames.date:
      return new Date((v as number) * MILLIS_PER_DAY);
    case LogicalTypeNames.time:
      return new Date(v as number);
    case LogicalTypeNames.timestamp:
      return new Date(Number(v as bigint));
    default:
      break;
  }
  switch (s.type) {
    case 'INT64':
      return BigInt(v as bigint);
    case 'ARRAY':
      return (v as unknown[]).map((x) => fromAvroValue(s.valueSchema!, x));
    case 'MAP':
      if (Array.isArray(v)) return new Map((v as { key: unknown; value: unknown }[]).map((e) => [fromAvroValue(s.keySchema!, e.key), fromAvroValue(s.valueSchema!, e.value)]));
      return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromAvroValue(s.valueSchema!, x)]));
    case 'STRUCT': {
      const struct = new Struct(s);
      const rec = v as Record<string, unknown>;
      for (const f of s.fields ?? []) struct.put(f.name, fromAvroValue(f.schema, rec[f.name]));
      return struct;
    }
    case 'STRING':
      return String(v);
    default:
      return v;
  }
}

export function avroConverterConfigDef(): ConfigDef {
  return converterConfigDef()
    .define({ name: 'schema.registry.url', type: 'LIST', defaultValue: [], importance: 'HIGH', documentation: 'Accepted for compatibility with Confluent configurations; Sluice uses its embedded schema registry.' })
    .define({ name: 'auto.register.schemas', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Register the Avro schema of written records under the subject <topic>-key / <topic>-value.' })
    .define({ name: 'use.latest.version', type: 'BOOLEAN', defaultValue: false, importance: 'LOW', documentation: "Write with the subject's latest registered schema instead of registering the derived one." });
}

export class AvroConverter implements Converter, HeaderConverter {
  private isKey = false;
  private autoRegister = true;
  private useLatest = false;
  private readonly writers = new LRUCache<Schema, { id: number | undefined; type: avro.Type; text: string }>({ max: 1000 });
  private readonly readers = new Map<number, { schema: Schema; type: avro.Type }>();

  constructor(private readonly registry: SchemaRegistry) {}

  config(): ConfigDef {
    return avroConverterConfigDef();
  }

  configure(props: Readonly<Record<string, string>>, isKey?: boolean): void {
    const c = parseConfig(avroConverterConfigDef(), converterProps(props, isKey));
    this.isKey = isKey ?? false;
    this.autoRegister = c['auto.register.schemas'] as boolean;
    this.useLatest = c['use.latest.version'] as boolean;
  }

  private subject(topic: string): string {
    return `${topic}-${this.isKey ? 'key' : 'value'}`;
  }

  fromConnectData(topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (!schema) throw new DataError('AvroConverter needs a schema: schemaless data cannot be written as Avro');
    let writer = this.writers.get(schema);
    if (!writer) {
      const derived = new ConnectToAvro().schema(schema);
      const text = JSON.stringify(derived);
      writer = { id: undefined, type: parseAvro(derived), text };
      this.writers.set(schema, writer);
    }
    let id = writer.id;
    let type = writer.type;
    const subject = this.subject(topic);
    if (this.useLatest) {
      const latest = this.registry.latest(subject);
      if (!latest || latest.type !== 'AVRO') throw new DataError(`No Avro schema registered under subject ${subject}`);
      id = latest.id;
      type = parseAvro(JSON.parse(latest.schema) as AvroSchema);
    } else if (id === undefined) {
      if (this.autoRegister) id = this.registry.register(subject, 'AVRO', writer.text);
      else {
        const found = this.registry.all().find((r) => r.subject === subject && r.type === 'AVRO' && r.schema === writer!.text);
        if (!found) throw new DataError(`Schema not found under subject ${subject} and auto.register.schemas=false`);
        id = found.id;
      }
      writer.id = id;
    }
    let body: Buffer;
    try {
      body = type.toBuffer(toAvroValue(schema, value));
    } catch (err) {
      throw new DataError(`Failed to serialize Avro data from topic ${topic} :${(err as Error).message}`);
    }
    const head = Buffer.alloc(5);
    head.writeUInt8(0, 0);
    head.writeInt32BE(id!, 1);
    return Buffer.concat([head, body]);
  }

  toConnectData(topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value === null) return { schema: null, value: null };
    if (value.length < 5 || value[0] !== 0) throw new DataError(`Failed to deserialize data for topic ${topic} to Avro: Unknown magic byte!`);
    const id = value.readInt32BE(1);
    let reader = this.readers.get(id);
    if (!reader) {
      const registered = this.registry.byId(id);
      if (!registered || registered.type !== 'AVRO') throw new DataError(`Failed to deserialize data for topic ${topic} to Avro: Error retrieving Avro schema for id ${id}`);
      const avroSchema = JSON.parse(registered.schema) as AvroSchema;
      reader = { schema: avroToConnect(avroSchema), type: parseAvro(avroSchema) };
      this.readers.set(id, reader);
    }
    let decoded: unknown;
    try {
      decoded = reader.type.fromBuffer(value.subarray(5));
    } catch (err) {
      throw new DataError(`Failed to deserialize data for topic ${topic} to Avro: ${(err as Error).message}`);
    }
    return { schema: reader.schema, value: fromAvroValue(reader.schema, decoded) };
  }

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, [], schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, [], value);
  }
}
