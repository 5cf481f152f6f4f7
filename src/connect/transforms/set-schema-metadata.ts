/** org.apache.kafka.connect.transforms.SetSchemaMetadata$Key / SetSchemaMetadata$Value */
import { ConfigDef, DataError, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { configError, parseConfig, putChecked, requireSchema, Sides, type Side } from './util/transform-support.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'schema.name', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'Schema name to set.' })
    .define({ name: 'schema.version', type: 'INT', defaultValue: null, importance: 'HIGH', documentation: 'Schema version to set.' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

export class SetSchemaMetadata implements Transformation {
  private name: string | null = null;
  private version: number | null = null;
  private replaceNullWithDefault = true;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.name = (c['schema.name'] as string | null) ?? null;
    this.version = (c['schema.version'] as number | null) ?? null;
    this.replaceNullWithDefault = c['replace.null.with.default'] as boolean;
    if (this.name === null && this.version === null) throw configError('Neither schema name nor version configured');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = Sides.value(record, this.side);
    const schema = Sides.schema(record, this.side);
    if ((value === null || value === undefined) && !schema) return record;
    requireSchema(schema, 'updating schema metadata');
    // Kafka 4.1 builds the new schema with schema.fields(), which only structs have
    if (schema.type !== 'STRUCT') throw new DataError('Cannot list fields on non-struct type');
    const updated: { -readonly [K in keyof Schema]: Schema[K] } = { ...schema };
    if (this.name !== null) updated.name = this.name;
    if (this.version !== null) updated.version = this.version;
    let newValue = value;
    if (value instanceof Struct) {
      const s = new Struct(updated);
      for (const f of updated.fields ?? []) putChecked(s, f.name, this.replaceNullWithDefault ? value.get(f.name) : value.getWithoutDefault(f.name));
      newValue = s;
    }
    return Sides.newRecord(record, this.side, updated, newValue);
  }

  close(): void {}
}
