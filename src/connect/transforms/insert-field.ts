/** org.apache.kafka.connect.transforms.InsertField$Key / InsertField$Value */
import { ConfigDef, LogicalTypeNames, Schemas, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { addField, configError, configValueError, copySchemaBasics, parseConfig, putChecked, requireMap, requireSinkRecord, requireStruct, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';

const PURPOSE = 'field insertion';
const OPTIONALITY_DOC = 'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'topic.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: `Field name for Kafka topic. ${OPTIONALITY_DOC}` })
    .define({ name: 'partition.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: `Field name for Kafka partition. ${OPTIONALITY_DOC}` })
    .define({ name: 'offset.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: `Field name for Kafka offset - only applicable to sink connectors.<br/>${OPTIONALITY_DOC}` })
    .define({ name: 'timestamp.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: `Field name for record timestamp. ${OPTIONALITY_DOC}` })
    .define({ name: 'static.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: `Field name for static data field. ${OPTIONALITY_DOC}` })
    .define({ name: 'static.value', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Static field value, if field name configured.' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

interface InsertionSpec {
  readonly name: string;
  readonly optional: boolean;
}

function parseSpec(spec: unknown): InsertionSpec | null {
  if (spec === null || spec === undefined) return null;
  const s = spec as string;
  if (s.endsWith('?')) return { name: s.slice(0, -1), optional: true };
  if (s.endsWith('!')) return { name: s.slice(0, -1), optional: false };
  return { name: s, optional: true };
}

export class InsertField implements Transformation {
  private topic: InsertionSpec | null = null;
  private partition: InsertionSpec | null = null;
  private offset: InsertionSpec | null = null;
  private timestamp: InsertionSpec | null = null;
  private staticField: InsertionSpec | null = null;
  private staticValue: string | null = null;
  private replaceNullWithDefault = true;
  private readonly schemaCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.topic = parseSpec(c['topic.field']);
    this.partition = parseSpec(c['partition.field']);
    this.offset = parseSpec(c['offset.field']);
    this.timestamp = parseSpec(c['timestamp.field']);
    this.staticField = parseSpec(c['static.field']);
    this.staticValue = (c['static.value'] as string | null) ?? null;
    this.replaceNullWithDefault = c['replace.null.with.default'] as boolean;
    if (!this.topic && !this.partition && !this.offset && !this.timestamp && !this.staticField) throw configError('No field insertion configured');
    if (this.staticField && this.staticValue === null) {
      // Kafka prints the InsertionSpec object here (its default toString)
      throw configValueError('static.value', null, `No value specified for static field: ${this.staticField.name}`);
    }
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = Sides.value(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = Sides.schema(record, this.side);
    if (!schema) {
      const updated: Record<string, unknown> = { ...requireMap(value, PURPOSE) };
      if (this.topic) updated[this.topic.name] = record.topic;
      if (this.partition && record.kafkaPartition !== null) updated[this.partition.name] = record.kafkaPartition;
      if (this.offset) updated[this.offset.name] = Number(requireSinkRecord(record, PURPOSE).kafkaOffset);
      if (this.timestamp && record.timestamp !== null) updated[this.timestamp.name] = record.timestamp;
      if (this.staticField && this.staticValue !== null) updated[this.staticField.name] = this.staticValue;
      return Sides.newRecord(record, this.side, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    let updatedSchema = this.schemaCache.get(struct.schema);
    if (!updatedSchema) {
      updatedSchema = this.updatedSchema(struct.schema);
      this.schemaCache.set(struct.schema, updatedSchema);
    }
    const out = new Struct(updatedSchema);
    for (const f of struct.schema.fields ?? []) putChecked(out, f.name, this.replaceNullWithDefault ? struct.get(f.name) : struct.getWithoutDefault(f.name));
    if (this.topic) putChecked(out, this.topic.name, record.topic);
    if (this.partition && record.kafkaPartition !== null) putChecked(out, this.partition.name, record.kafkaPartition);
    if (this.offset) putChecked(out, this.offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.timestamp && record.timestamp !== null) putChecked(out, this.timestamp.name, new Date(record.timestamp));
    if (this.staticField && this.staticValue !== null) putChecked(out, this.staticField.name, this.staticValue);
    return Sides.newRecord(record, this.side, updatedSchema, out);
  }

  private updatedSchema(schema: Schema): Schema {
    const fields = (schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema }));
    if (this.topic) addField(fields, this.topic.name, Schemas.primitive('STRING', this.topic.optional));
    if (this.partition) addField(fields, this.partition.name, Schemas.primitive('INT32', this.partition.optional));
    if (this.offset) addField(fields, this.offset.name, Schemas.primitive('INT64', this.offset.optional));
    if (this.timestamp) addField(fields, this.timestamp.name, { type: 'INT64', optional: this.timestamp.optional, name: LogicalTypeNames.timestamp, version: 1 });
    if (this.staticField) addField(fields, this.staticField.name, Schemas.primitive('STRING', this.staticField.optional));
    return copySchemaBasics(schema, structSchema(fields));
  }

  close(): void {
    this.schemaCache.clear();
  }
}
