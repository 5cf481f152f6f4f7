/** org.apache.kafka.connect.transforms.HeaderFrom$Key / HeaderFrom$Value: copy or move fields into headers */
import { ConfigDef, Schemas, Struct, validateValue, type ConnectHeader, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { configError, copySchemaBasics, parseConfig, putChecked, requireMap, requireStruct, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'fields', type: 'LIST', validator: Validators.nonEmptyList(), importance: 'HIGH', documentation: 'Field names in the record whose values are to be copied or moved to headers.' })
    .define({ name: 'headers', type: 'LIST', validator: Validators.nonEmptyList(), importance: 'HIGH', documentation: 'Header names, in the same order as the field names listed in the fields configuration property.' })
    .define({ name: 'operation', type: 'STRING', validator: Validators.validString('move', 'copy'), importance: 'HIGH', documentation: 'Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

/** ConnectHeaders.add(key, value, schema): the value must fit the schema */
export function header(key: string, value: unknown, schema: Schema | null): ConnectHeader {
  if (schema) validateValue(schema, value, key);
  return { key, schema, value };
}

export class HeaderFrom implements Transformation {
  private fields: string[] = [];
  private headers: string[] = [];
  private operation: 'move' | 'copy' = 'copy';
  private replaceNullWithDefault = true;
  private readonly moveCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const config = parseConfig(CONFIG_DEF(), props);
    this.fields = config['fields'] as string[];
    this.headers = config['headers'] as string[];
    if (this.headers.length !== this.fields.length) throw configError("'fields' config must have the same number of elements as 'headers' config.");
    this.operation = config['operation'] as 'move' | 'copy';
    this.replaceNullWithDefault = config['replace.null.with.default'] as boolean;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = Sides.value(record, this.side);
    const schema = Sides.schema(record, this.side);
    const headers = [...record.headers];
    if (!schema) {
      const map = requireMap(value, `header ${this.operation}`);
      const updated: Record<string, unknown> = { ...map };
      this.fields.forEach((field, i) => {
        if (this.operation === 'move') delete updated[field];
        headers.push(header(this.headers[i]!, map[field] ?? null, null));
      });
      return { ...Sides.newRecord(record, this.side, null, updated), headers };
    }
    const struct = requireStruct(value, `header ${this.operation}`);
    let updatedSchema = schema;
    let updatedValue = struct;
    if (this.operation === 'move') {
      updatedSchema = this.moveSchema(schema);
      updatedValue = new Struct(updatedSchema);
      for (const f of updatedSchema.fields ?? []) putChecked(updatedValue, f.name, this.get(struct, f.name));
    }
    this.fields.forEach((field, i) => {
      const fieldValue = Schemas.field(struct.schema, field) ? this.get(struct, field) : null;
      const fieldSchema = Schemas.field(schema, field)?.schema;
      if (!fieldSchema) throw new TypeError(`Cannot invoke "org.apache.kafka.connect.data.Field.schema()" because the return value of "org.apache.kafka.connect.data.Schema.field(String)" is null`);
      headers.push(header(this.headers[i]!, fieldValue, fieldSchema));
    });
    return { ...Sides.newRecord(record, this.side, updatedSchema, updatedValue), headers };
  }

  private get(struct: Struct, field: string): unknown {
    return this.replaceNullWithDefault ? struct.get(field) : struct.getWithoutDefault(field);
  }

  private moveSchema(schema: Schema): Schema {
    let moved = this.moveCache.get(schema);
    if (!moved) {
      moved = copySchemaBasics(schema, structSchema((schema.fields ?? []).filter((f) => !this.fields.includes(f.name)).map((f) => ({ name: f.name, schema: f.schema }))));
      this.moveCache.set(schema, moved);
    }
    return moved;
  }

  close(): void {
    this.moveCache.clear();
  }
}
