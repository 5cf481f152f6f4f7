/** org.apache.kafka.connect.transforms.ValueToKey: the key becomes a struct/map of fields of the value */
import { ConfigDef, DataError, Schemas, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { addField, parseConfig, putChecked, requireMap, requireStruct, structSchema, schemaCache } from './util/transform-support.js';

const PURPOSE = 'copying fields from value to key';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'fields', type: 'LIST', validator: Validators.nonEmptyList(), importance: 'HIGH', documentation: 'Field names on the record value to extract as the record key.' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

export class ValueToKey implements Transformation {
  private fields: string[] = [];
  private replaceNullWithDefault = true;
  private readonly schemaCache = schemaCache();

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.fields = c['fields'] as string[];
    this.replaceNullWithDefault = c['replace.null.with.default'] as boolean;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (!record.valueSchema) {
      const value = requireMap(record.value, PURPOSE);
      const key: Record<string, unknown> = {};
      for (const f of this.fields) key[f] = value[f] ?? null;
      return { ...record, keySchema: null, key };
    }
    const value = requireStruct(record.value, PURPOSE);
    let keySchema = this.schemaCache.get(value.schema);
    if (!keySchema) {
      const fields: { name: string; schema: Schema }[] = [];
      for (const f of this.fields) {
        const from = Schemas.field(value.schema, f);
        if (!from) throw new DataError(`Field does not exist: ${f}`);
        addField(fields, f, from.schema);
      }
      keySchema = structSchema(fields);
      this.schemaCache.set(value.schema, keySchema);
    }
    const key = new Struct(keySchema);
    for (const f of this.fields) putChecked(key, f, this.replaceNullWithDefault ? value.get(f) : value.getWithoutDefault(f));
    return { ...record, keySchema, key, valueSchema: value.schema, value };
  }

  close(): void {
    this.schemaCache.clear();
  }
}
