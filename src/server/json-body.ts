/** JSON for result rows as ksqlDB's REST API writes them: BIGINT and DECIMAL as bare numbers (exact), BYTES base64. */
import { toJsonValue } from '../index.js';

const RAW = '\u0000raw:';

export function jsonText(value: unknown): string {
  // the holder's own value, as toJSON (which Decimal has) runs before the replacer
  const text = JSON.stringify(value, function (this: Record<string, unknown>, k: string, v: unknown) {
    const original = this[k];
    if (typeof original === 'bigint') return RAW + original.toString();
    if (original && typeof original === 'object' && (original as { constructor?: { name?: string } }).constructor?.name === 'Decimal') return RAW + String(original);
    return v;
  });
  return text === undefined ? 'null' : text.replace(/"\\u0000raw:([-+.\deE]+)"/g, '$1');
}

export function rowJson(values: readonly unknown[]): unknown[] {
  return values.map(toJsonValue);
}
