/**
 * JSON for values a result may hold: bigint prints as a JSON number (JSON.stringify throws on it),
 * Buffers as base64, anything with its own toJSON/toString (decimals) as that.
 */
export function toJsonText(value: unknown, indent?: number): string {
  const BIG = '\u0000bigint:';
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'bigint') return BIG + v.toString();
      if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data))
        return Buffer.from((v as { data: number[] }).data).toString('base64');
      return v;
    },
    indent,
  );
  return text === undefined ? 'null' : text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
