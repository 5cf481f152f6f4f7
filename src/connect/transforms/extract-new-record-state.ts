/**
 * io.debezium.transforms.ExtractNewRecordState: a Debezium change event's envelope
 * {before, after, source, op, ts_ms} becomes the row as it now is (`after`), so that a stream or
 * table can read CDC topics as plain rows. Keys: `delete.handling.mode` drop | rewrite | none
 * (rewrite adds `__deleted`), `drop.tombstones`, `add.fields` and `add.headers` (envelope or
 * source fields, named `<prefix><field>` with dots as underscores), `add.fields.prefix`,
 * `add.headers.prefix`. Records that are not change events pass unchanged, as in Debezium.
 */
import { ConfigDef, Schemas, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { parseConfig, schemaCache, structSchema } from './util/transform-support.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'drop.tombstones', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Debezium by default generates a tombstone record to enable Kafka compaction after a delete record was generated. This record is usually filtered out to avoid duplicates as a delete record is converted to a tombstone record, too.' })
    .define({ name: 'delete.handling.mode', type: 'STRING', defaultValue: 'drop', importance: 'MEDIUM', documentation: "How to handle delete records. Options are: none - records are passed, drop - records are removed (the default), rewrite - __deleted field is added to records.", validator: Validators.validString('drop', 'rewrite', 'none') })
    .define({ name: 'add.fields', type: 'LIST', defaultValue: [], importance: 'LOW', documentation: 'Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified).' })
    .define({ name: 'add.fields.prefix', type: 'STRING', defaultValue: '__', importance: 'LOW', documentation: 'Adds this prefix to each field listed.' })
    .define({ name: 'add.headers', type: 'LIST', defaultValue: [], importance: 'LOW', documentation: 'Adds each field listed to the header, __ (or __<struct>_ if the struct is specified).' })
    .define({ name: 'add.headers.prefix', type: 'STRING', defaultValue: '__', importance: 'LOW', documentation: 'Adds this prefix listed to each header.' });

interface AddedField {
  readonly name: string;
  /** 'op', 'ts_ms' from the envelope; 'source.x' (or a bare source field name) from source */
  read(envelope: Struct): { schema: Schema; value: unknown } | undefined;
}

function addedField(spec: string, prefix: string): AddedField {
  const path = spec.trim();
  const [struct, field] = path.includes('.') ? (path.split('.', 2) as [string, string]) : [undefined, path];
  return {
    name: prefix + path.replace(/\./g, '_'),
    read(envelope) {
      const top = struct ? Schemas.field(envelope.schema, struct) : Schemas.field(envelope.schema, field);
      if (!struct && top && top.schema.type !== 'STRUCT') return { schema: top.schema, value: envelope.get(field) };
      const holder = (struct ? envelope.get(struct) : envelope.get('source')) as Struct | null;
      const f = holder ? Schemas.field(holder.schema, field) : undefined;
      return f && holder ? { schema: f.schema, value: holder.get(field) } : undefined;
    },
  };
}

function isEnvelope(schema: Schema | null, value: unknown): value is Struct {
  return !!schema && schema.type === 'STRUCT' && value instanceof Struct && !!Schemas.field(schema, 'op') && !!Schemas.field(schema, 'after') && !!Schemas.field(schema, 'before');
}

export class ExtractNewRecordState implements Transformation {
  private dropTombstones = true;
  private deleteMode = 'drop';
  private fields: AddedField[] = [];
  private headers: AddedField[] = [];
  private readonly schemaCache = schemaCache();

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.dropTombstones = c['drop.tombstones'] as boolean;
    this.deleteMode = c['delete.handling.mode'] as string;
    this.fields = (c['add.fields'] as string[]).filter((f) => f.trim()).map((f) => addedField(f, c['add.fields.prefix'] as string));
    this.headers = (c['add.headers'] as string[]).filter((f) => f.trim()).map((f) => addedField(f, c['add.headers.prefix'] as string));
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.value === null) return this.dropTombstones ? null : record;
    if (!isEnvelope(record.valueSchema, record.value)) return record;
    const envelope = record.value;
    const deleted = envelope.get('op') === 'd';
    if (deleted && this.deleteMode === 'drop') return null;
    const headers = [...record.headers];
    for (const h of this.headers) {
      const found = h.read(envelope);
      if (found) headers.push({ key: h.name, schema: found.schema, value: found.value });
    }
    if (deleted && this.deleteMode === 'none') return { ...record, valueSchema: null, value: null, headers };
    const row = (deleted ? envelope.get('before') : envelope.get('after')) as Struct | null;
    if (!row) return { ...record, valueSchema: null, value: null, headers };
    const extras = this.fields.map((f) => ({ f, found: f.read(envelope) }));
    const rewrite = this.deleteMode === 'rewrite';
    if (!rewrite && extras.length === 0) return { ...record, valueSchema: row.schema, value: row, headers };
    let schema = this.schemaCache.get(row.schema);
    if (!schema) {
      const fields = (row.schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema }));
      for (const { f, found } of extras) if (found) fields.push({ name: f.name, schema: { ...found.schema, optional: true } });
      if (rewrite) fields.push({ name: '__deleted', schema: Schemas.primitive('STRING', true) });
      schema = structSchema(fields, { name: row.schema.name, optional: row.schema.optional, ...(row.schema.version !== undefined ? { version: row.schema.version } : {}) });
      this.schemaCache.set(row.schema, schema);
    }
    const out = new Struct(schema);
    for (const f of row.schema.fields ?? []) out.put(f.name, row.getWithoutDefault(f.name));
    for (const { f, found } of extras) if (found) out.put(f.name, found.value);
    if (rewrite) out.put('__deleted', String(deleted));
    return { ...record, valueSchema: schema, value: out, headers };
  }

  close(): void {
    this.schemaCache.clear();
  }
}
