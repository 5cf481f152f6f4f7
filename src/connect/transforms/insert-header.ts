/** org.apache.kafka.connect.transforms.InsertHeader: a header with a literal value, typed as Values.parseString types it */
import { ConfigDef, ConnectConfigError, type ConnectRecord, type SchemaAndValue, type Transformation } from '../api/index.js';
import { parseConnectString } from '../converters/values-parser.js';
import { parseConfig } from './util/transform-support.js';

const nonNull = (name: string, value: unknown): void => {
  if (value === null || value === undefined) throw new ConnectConfigError(name, null, 'entry must be non null');
};

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'header', type: 'STRING', validator: nonNull, importance: 'HIGH', documentation: 'The name of the header.' })
    .define({ name: 'value.literal', type: 'STRING', validator: nonNull, importance: 'HIGH', documentation: 'The literal value that is to be set as the header value on all records.' });

export class InsertHeader implements Transformation {
  private header = '';
  private literal: SchemaAndValue = { schema: null, value: null };

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.header = c['header'] as string;
    this.literal = parseConnectString(c['value.literal'] as string) ?? { schema: null, value: null };
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    return { ...record, headers: [...record.headers, { key: this.header, schema: this.literal.schema, value: this.literal.value }] };
  }

  close(): void {}
}
