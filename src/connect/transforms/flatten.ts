/** org.apache.kafka.connect.transforms.Flatten$Key / Flatten$Value */
import { ConfigDef, DataError, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { inferSchemaType, javaClassOf } from '../converters/connect-values.js';
import { addField, copySchemaBasics, parseConfig, putChecked, requireMap, requireStructOrNull, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';

const PURPOSE = 'flattening';
const FLAT_TYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES', 'ARRAY']);

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef().define({ name: 'delimiter', type: 'STRING', defaultValue: '.', importance: 'MEDIUM', documentation: 'Delimiter to insert between field names from the input record when generating field names for the output record' });

export class Flatten implements Transformation {
  private delimiter = '.';
  private readonly schemaCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.delimiter = parseConfig(CONFIG_DEF(), props)['delimiter'] as string;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = Sides.value(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = Sides.schema(record, this.side);
    if (!schema) {
      const out: Record<string, unknown> = {};
      this.flattenMap(requireMap(value, PURPOSE), '', out);
      return Sides.newRecord(record, this.side, null, out);
    }
    const struct = requireStructOrNull(value, PURPOSE);
    let updated = this.schemaCache.get(schema);
    if (!updated) {
      const fields: { name: string; schema: Schema }[] = [];
      this.buildSchema(schema, '', fields, schema.optional, (schema.defaultValue as Struct | undefined) ?? null);
      updated = { ...copySchemaBasics(schema, structSchema(fields)) };
      this.schemaCache.set(schema, updated);
    }
    if (!struct) return Sides.newRecord(record, this.side, updated, null);
    const out = new Struct(updated);
    this.flattenStruct(struct, '', out);
    return Sides.newRecord(record, this.side, updated, out);
  }

  private name(prefix: string, field: string): string {
    return prefix === '' ? field : prefix + this.delimiter + field;
  }

  private flattenMap(map: Record<string, unknown>, prefix: string, out: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(map)) {
      const name = this.name(prefix, key);
      if (value === null || value === undefined) {
        out[name] = null;
        continue;
      }
      const type = inferSchemaType(value);
      if (!type) throw new DataError(`Flatten transformation was passed a value of type ${javaClassOf(value)} which is not supported by Connect's data API`);
      if (FLAT_TYPES.has(type)) out[name] = value;
      else if (type === 'MAP') this.flattenMap(requireMap(value, PURPOSE), name, out);
      else throw new DataError(`Flatten transformation does not support ${javaClassOf(value)} for record without schemas (for field ${name}).`);
    }
  }

  private buildSchema(schema: Schema, prefix: string, fields: { name: string; schema: Schema }[], optional: boolean, parentDefault: Struct | null): void {
    for (const field of schema.fields ?? []) {
      const name = this.name(prefix, field.name);
      const fieldOptional = optional || field.schema.optional;
      let def: unknown = null;
      if (field.schema.defaultValue !== undefined && field.schema.defaultValue !== null) def = field.schema.defaultValue;
      else if (parentDefault) def = parentDefault.get(field.name);
      if (FLAT_TYPES.has(field.schema.type)) {
        const base: Schema = field.schema.type === 'ARRAY' ? { type: 'ARRAY', optional: false, valueSchema: field.schema.valueSchema! } : { type: field.schema.type, optional: false };
        let converted = copySchemaBasics(field.schema, base);
        if (fieldOptional) converted = { ...converted, optional: true };
        if (def !== null && def !== undefined) converted = { ...converted, defaultValue: def };
        addField(fields, name, converted);
      } else if (field.schema.type === 'STRUCT') this.buildSchema(field.schema, name, fields, fieldOptional, (def as Struct | null) ?? null);
      else throw new DataError(`Flatten transformation does not support ${field.schema.type} for record with schemas (for field ${name}).`);
    }
  }

  private flattenStruct(struct: Struct | null, prefix: string, out: Struct): void {
    if (!struct) return;
    for (const field of struct.schema.fields ?? []) {
      const name = this.name(prefix, field.name);
      if (FLAT_TYPES.has(field.schema.type)) putChecked(out, name, struct.get(field.name));
      else if (field.schema.type === 'STRUCT') this.flattenStruct(requireStructOrNull(struct.get(field.name), PURPOSE), name, out);
      else throw new DataError(`Flatten transformation does not support ${field.schema.type} for record with schemas (for field ${name}).`);
    }
  }

  close(): void {
    this.schemaCache.clear();
  }
}
