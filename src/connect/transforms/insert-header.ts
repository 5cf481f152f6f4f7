/** org.apache.kafka.connect.transforms.InsertHeader: a header with a literal value (typed as Values.parseString types it) */
import { ConfigDef, ConnectConfigError, LogicalTypeNames, Schemas, type ConnectRecord, type SchemaAndValue, type Transformation } from '../api/index.js';
import { parseConfig } from './util/transform-support.js';
import { parseDecimalText, decimalToJavaString } from '../../serde/java-number-text.js';

const nonNull = (name: string, value: unknown): void => {
  if (value === null || value === undefined) throw new ConnectConfigError(name, null, 'entry must be non null');
};

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'header', type: 'STRING', validator: nonNull, importance: 'HIGH', documentation: 'The name of the header.' })
    .define({ name: 'value.literal', type: 'STRING', validator: nonNull, importance: 'HIGH', documentation: 'The literal value that is to be set as the header value on all records.' });

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * Values.parseString for scalar literals: booleans, integers (the narrowest of INT8..INT64),
 * fractions (FLOAT32, FLOAT64 or Decimal), ISO dates/times/timestamps, otherwise the string.
 * Array and map literals ([..], {..}) are kept as strings.
 */
export function parseLiteral(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.primitive('STRING'), value: text };
  const token = text.trim();
  if (token === 'null') return { schema: null, value: null };
  if (token === 'true') return { schema: Schemas.primitive('BOOLEAN'), value: true };
  if (token === 'false') return { schema: Schemas.primitive('BOOLEAN'), value: false };
  if (token === '') return { schema: Schemas.primitive('STRING'), value: text };
  const temporal = parseTemporal(token);
  if (temporal) return temporal;
  if (/^[+\-\d]/.test(token)) {
    const d = parseDecimalText(token);
    if (d && !/^[+-]?\./.test(token)) {
      const stripped = d.unscaled.replace(/0+$/, '');
      const trailing = d.unscaled.length - stripped.length;
      const whole = d.unscaled === '0' || d.scale <= 0 || d.scale - trailing <= 0;
      const abs = Number(decimalToJavaString({ ...d, negative: false }));
      if (whole && abs <= 1e19) {
        const text0 = decimalToJavaString({ ...d, negative: false });
        const big = BigInt(Number.isSafeInteger(abs) ? String(abs) : BigInt(d.scale <= 0 ? d.unscaled + '0'.repeat(-d.scale) : d.unscaled.slice(0, d.unscaled.length - d.scale)).toString()) * (d.negative ? -1n : 1n);
        void text0;
        if (big >= LONG_MIN && big <= LONG_MAX) {
          const n = Number(big);
          if (n >= -128 && n <= 127) return { schema: Schemas.primitive('INT8'), value: n };
          if (n >= -32768 && n <= 32767) return { schema: Schemas.primitive('INT16'), value: n };
          if (n >= -2147483648 && n <= 2147483647) return { schema: Schemas.primitive('INT32'), value: n };
          return { schema: Schemas.primitive('INT64'), value: big };
        }
      }
      const f = Math.fround(Number(token));
      if (Number.isFinite(f) && d.scale !== 0) return { schema: Schemas.primitive('FLOAT32'), value: f };
      const dv = Number(token);
      if (Number.isFinite(dv) && d.scale !== 0) return { schema: Schemas.primitive('FLOAT64'), value: dv };
      return { schema: { type: 'BYTES', optional: false, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: String(d.scale) } }, value: decimalToJavaString(d) };
    }
  }
  return { schema: Schemas.primitive('STRING'), value: token };
}

function parseTemporal(token: string): SchemaAndValue | null {
  const t = token.replace(/\\:/g, ':');
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return { schema: { type: 'INT32', optional: false, name: LogicalTypeNames.date, version: 1 }, value: new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) };
  m = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/.exec(t);
  if (m) return { schema: { type: 'INT32', optional: false, name: LogicalTypeNames.time, version: 1 }, value: new Date(((+m[1]! * 60 + +m[2]!) * 60 + +m[3]!) * 1000 + +m[4]!) };
  m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/.exec(t);
  if (m) return { schema: { type: 'INT64', optional: false, name: LogicalTypeNames.timestamp, version: 1 }, value: new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!)) };
  return null;
}

export class InsertHeader implements Transformation {
  private header = '';
  private literal: SchemaAndValue = { schema: null, value: null };

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.header = c['header'] as string;
    this.literal = parseLiteral(c['value.literal'] as string);
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    return { ...record, headers: [...record.headers, { key: this.header, schema: this.literal.schema, value: this.literal.value }] };
  }

  close(): void {}
}
