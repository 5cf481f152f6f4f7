/** org.apache.kafka.connect.transforms.HoistField$Key / HoistField$Value */
import { ConfigDef, Struct, type ConnectRecord, type Transformation } from '../api/index.js';
import { parseConfig, putChecked, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef().define({ name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name for the single field that will be created in the resulting Struct or Map.' });

export class HoistField implements Transformation {
  private fieldName = '';
  private readonly schemaCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.fieldName = parseConfig(CONFIG_DEF(), props)['field'] as string;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = Sides.schema(record, this.side);
    const value = Sides.value(record, this.side);
    if (!schema) return Sides.newRecord(record, this.side, null, { [this.fieldName]: value });
    let updated = this.schemaCache.get(schema);
    if (!updated) {
      updated = structSchema([{ name: this.fieldName, schema }]);
      this.schemaCache.set(schema, updated);
    }
    const struct = new Struct(updated);
    putChecked(struct, this.fieldName, value);
    return Sides.newRecord(record, this.side, updated, struct);
  }

  close(): void {
    this.schemaCache.clear();
  }
}
