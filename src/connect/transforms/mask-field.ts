/** org.apache.kafka.connect.transforms.MaskField$Key / MaskField$Value */
import { ConfigDef, DataError, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { parseConfig, putChecked, requireMap, requireStruct, Sides, type Side } from './util/transform-support.js';
import { isLogical, javaClassOf } from '../converters/connect-values.js';
import { decimalToJavaString, parseDecimalText, parseJavaDouble } from '../../serde/java-number-text.js';

const PURPOSE = 'mask fields';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'fields', type: 'LIST', validator: Validators.nonEmptyList(), importance: 'HIGH', documentation: 'Names of fields to mask.' })
    .define({ name: 'replacement', type: 'STRING', defaultValue: null, validator: (name, value) => value !== null && Validators.nonEmptyString()(name, value), importance: 'LOW', documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)." })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

/** the Java class Kafka would see for a value of this schema (or schemaless) */
type JavaKind = 'Boolean' | 'Byte' | 'Short' | 'Integer' | 'Long' | 'Float' | 'Double' | 'BigDecimal' | 'Date' | 'String' | 'List' | 'Map' | 'Other';

function kindOf(value: unknown, schema: Schema | null): JavaKind {
  if (schema) {
    if (isLogical.decimal(schema)) return 'BigDecimal';
    if (value instanceof Date) return 'Date';
    switch (schema.type) {
      case 'BOOLEAN':
        return 'Boolean';
      case 'INT8':
        return 'Byte';
      case 'INT16':
        return 'Short';
      case 'INT32':
        return 'Integer';
      case 'INT64':
        return 'Long';
      case 'FLOAT32':
        return 'Float';
      case 'FLOAT64':
        return 'Double';
      case 'STRING':
        return 'String';
      case 'ARRAY':
        return 'List';
      case 'MAP':
        return 'Map';
      default:
        return 'Other';
    }
  }
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'bigint') return 'Long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Long' : 'Double';
  if (typeof value === 'string') return 'String';
  if (value instanceof Date) return 'Date';
  if (Array.isArray(value)) return 'List';
  if (value instanceof Map || (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Struct))) return 'Map';
  return 'Other';
}

export class MaskField implements Transformation {
  private fields = new Set<string>();
  private replacement: string | null = null;
  private replaceNullWithDefault = true;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.fields = new Set(c['fields'] as string[]);
    this.replacement = (c['replacement'] as string | null) ?? null;
    this.replaceNullWithDefault = c['replace.null.with.default'] as boolean;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = Sides.schema(record, this.side);
    const value = Sides.value(record, this.side);
    if (!schema) {
      const map = requireMap(value, PURPOSE);
      const updated: Record<string, unknown> = { ...map };
      for (const f of this.fields) updated[f] = this.masked(map[f] ?? null, null, true);
      return Sides.newRecord(record, this.side, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const out = new Struct(struct.schema);
    for (const f of struct.schema.fields ?? []) {
      const orig = this.replaceNullWithDefault ? struct.get(f.name) : struct.getWithoutDefault(f.name);
      putChecked(out, f.name, this.fields.has(f.name) ? this.masked(orig, f.schema, false) : orig);
    }
    return Sides.newRecord(record, this.side, schema, out);
  }

  private masked(value: unknown, schema: Schema | null, schemaless: boolean): unknown {
    if (value === null || value === undefined) return null;
    const kind = kindOf(value, schema);
    if (this.replacement === null) {
      switch (kind) {
        case 'Boolean':
          return false;
        case 'Byte':
        case 'Short':
        case 'Integer':
        case 'Float':
        case 'Double':
          return 0;
        case 'Long':
          return schemaless ? 0 : 0n;
        case 'BigDecimal':
          return '0';
        case 'Date':
          return new Date(0);
        case 'String':
          return '';
        case 'List':
          return [];
        case 'Map':
          return schemaless ? {} : new Map();
        default:
          throw new DataError(`Cannot mask value of type: ${javaClassOf(value)}`);
      }
    }
    const r = this.replacement;
    const notNumber = (): never => {
      throw new DataError(`Unable to convert ${r} (class java.lang.String) to number`);
    };
    switch (kind) {
      case 'String':
        return r;
      case 'Byte':
      case 'Short':
      case 'Integer':
      case 'Long': {
        const bits = kind === 'Byte' ? 8 : kind === 'Short' ? 16 : kind === 'Integer' ? 32 : 64;
        const d = parseDecimalText(r.trim());
        if (!d) return notNumber();
        // Values.convertTo*: the parsed number narrowed to the type
        const whole = BigInt((d.negative ? '-' : '') + (d.scale <= 0 ? d.unscaled + '0'.repeat(-d.scale) : d.unscaled.slice(0, Math.max(0, d.unscaled.length - d.scale)) || '0'));
        const v = BigInt.asIntN(bits, whole);
        return kind === 'Long' ? (schemaless ? Number(v) : v) : Number(v);
      }
      case 'Float':
      case 'Double': {
        const d = parseJavaDouble(r);
        if (d === undefined) return notNumber();
        return kind === 'Float' ? Math.fround(d) : d;
      }
      case 'BigDecimal': {
        const d = parseDecimalText(r);
        if (!d) return notNumber();
        return decimalToJavaString(d);
      }
      default:
        throw new DataError(`Cannot mask value of type ${javaClassOf(value)} with custom replacement.`);
    }
  }

  close(): void {}
}
