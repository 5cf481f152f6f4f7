/** The serialization formats Sluice knows, by their upper-case names in WITH clauses. */
export const FORMAT_NAMES = ['JSON', 'DELIMITED', 'KAFKA', 'NONE', 'AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR'] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

const KNOWN: ReadonlySet<string> = new Set(FORMAT_NAMES);

export function isFormatName(name: string): name is FormatName {
  return KNOWN.has(name);
}
