/** org.apache.kafka.connect.transforms.ExtractField$Key / ExtractField$Value */
import { ConfigDef, type ConnectRecord, type Transformation } from '../api/index.js';
import { appendFieldSyntaxVersion, fieldSyntaxVersionFrom, SingleFieldPath } from './util/field-path.js';
import { parseConfig, requireMapOrNull, requireStructOrNull, Sides, type Side } from './util/transform-support.js';

const PURPOSE = 'field extraction';

const CONFIG_DEF = (): ConfigDef =>
  appendFieldSyntaxVersion(
    new ConfigDef()
      .define({ name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' }),
  );

/** Kafka throws IllegalArgumentException for an unknown field */
export class IllegalArgumentError extends Error {
  override readonly name = 'IllegalArgumentError';
}

export class ExtractField implements Transformation {
  private path!: SingleFieldPath;
  private originalPath = '';
  private replaceNullWithDefault = true;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const config = parseConfig(CONFIG_DEF(), props);
    this.originalPath = config['field'] as string;
    this.path = new SingleFieldPath(this.originalPath, fieldSyntaxVersionFrom(config));
    this.replaceNullWithDefault = config['replace.null.with.default'] as boolean;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = Sides.schema(record, this.side);
    if (!schema) {
      const value = requireMapOrNull(Sides.value(record, this.side), PURPOSE);
      return Sides.newRecord(record, this.side, null, value === null ? null : this.path.valueFromMap(value));
    }
    const value = requireStructOrNull(Sides.value(record, this.side), PURPOSE);
    const field = this.path.fieldFrom(schema);
    if (!field) throw new IllegalArgumentError(`Unknown field: ${this.originalPath}`);
    return Sides.newRecord(record, this.side, field.schema, value === null ? null : this.path.valueFromStruct(value, this.replaceNullWithDefault));
  }

  close(): void {}
}
