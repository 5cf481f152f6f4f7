/**
 * JSON_SR format (ksqlDB's JSON format with useSchemaRegistryFormat): the JSON format's text
 * behind Confluent's framing (magic byte 0, schema id as a big-endian int32). Values are read
 * exactly like JSON once the framing is checked (ksqlDB's KsqlJsonDeserializer skips the header
 * and ignores the id); wrapping defaults and type support are JSON's.
 *
 * Writing registers the JSON Schema derived from the columns under `<topic>-key|value` on first
 * use; with KEY_/VALUE_SCHEMA_ID the registered schema is used instead: a wrapped row is written
 * with that schema's properties, in its order (a property no column provides is its default or
 * null; a column the schema lacks fails, as ksqlDB's ConnectSRSchemaDataTranslator does).
 */
import { createJsonSerde } from '../json-format.js';
import { compileJsonWriter } from '../json-value-writer.js';
import { asSerializeError, columnCountMismatch, deserializeFailure, RecordFailure } from '../serde-failure.js';
import type { FormatOptions, RowSerde, SerdeColumn, SerdeFactory, SerdeSpec, SerdeTarget } from '../serde-types.js';
import { deriveJsonSchema, jsonSchemaProperties } from './json-schema.js';
import { frameHeader, HEADER_SIZE, MAGIC_BYTE, subjectName } from './sr-framing.js';

const NO_MAGIC =
  'Got unexpected JSON serialization format that did not start with the magic byte. If this stream was not serialized ' +
  'using the JsonSchemaConverter, then make sure the stream is declared with JSON format (not JSON_SR).';

function isWrapped(spec: SerdeSpec): boolean {
  return spec.options.wrapSingleValue ?? !(spec.target === 'KEY' && spec.columns.length === 1);
}

/**
 * The JSON Schema text JSON_SR registers for columns (for the engine to register or show at
 * CREATE time).
 */
export function jsonSrSchemaFor(columns: readonly SerdeColumn[], target: SerdeTarget, options: FormatOptions = {}): string {
  const wrapped = options.wrapSingleValue ?? !(target === 'KEY' && columns.length === 1);
  return JSON.stringify(deriveJsonSchema(columns, wrapped));
}

type BodyWriter = (values: readonly unknown[]) => Buffer | null;

/** a wrapped row written with a registered object schema's properties */
function physicalWriter(spec: SerdeSpec, props: NonNullable<ReturnType<typeof jsonSchemaProperties>>): BodyWriter {
  const columns = spec.columns;
  const writers = columns.map((c) => compileJsonWriter(c.type));
  const used = new Set<number>();
  const bind = (name: string): number | undefined => {
    let i = columns.findIndex((c, j) => !used.has(j) && c.name === name);
    if (i < 0) i = columns.findIndex((c, j) => !used.has(j) && c.name.toUpperCase() === name.toUpperCase());
    if (i < 0) return undefined;
    used.add(i);
    return i;
  };
  const parts = props.names.map((name) => ({ name, prefix: `${JSON.stringify(name)}:`, column: bind(name) }));
  const missing = columns.find((_, i) => !used.has(i));
  const requiredUnset = parts.find((p) => p.column === undefined && props.required.has(p.name) && !props.defaults.has(p.name));
  return (values) => {
    if (missing) throw new RecordFailure(`Schema from Schema Registry misses field with name: ${missing.name}`);
    if (requiredUnset) {
      throw new RecordFailure(`Missing default value for required field: [${requiredUnset.name}]. This field appears in JSON_SR schema in Schema Registry`);
    }
    let s = '{';
    parts.forEach((p, i) => {
      if (i > 0) s += ',';
      let text: string;
      if (p.column !== undefined) {
        const v = values[p.column];
        text = v === null || v === undefined ? 'null' : writers[p.column]!(v);
      } else {
        const d = props.defaults.get(p.name);
        text = d === undefined ? 'null' : JSON.stringify(d);
      }
      s += p.prefix + text;
    });
    return Buffer.from(`${s}}`, 'utf8');
  };
}

export const createJsonSrSerde: SerdeFactory = (spec: SerdeSpec): RowSerde => {
  // type checks (MAP keys) and wrapping rules are JSON's
  const json = createJsonSerde(spec);
  const { columns, options } = spec;
  const n = columns.length;
  const wrapped = isWrapped(spec);
  const registry = options.schemaRegistry;

  let plan: { header: Buffer; body: BodyWriter } | undefined;
  const resolve = (): { header: Buffer; body: BodyWriter } => {
    if (plan) return plan;
    const jsonBody: BodyWriter = (values) => json.serialize(values);
    if (options.schemaId !== undefined) {
      const id = options.schemaId;
      if (!registry) throw new RecordFailure(`No schema registry is configured to look up schema id ${id}`);
      const reg = registry.byId(id);
      if (reg === undefined) throw new RecordFailure(`Schema with id ${id} not found in the schema registry`);
      if (reg.type !== 'JSON') throw new RecordFailure(`Schema with id ${id} is not a JSON schema (it is ${reg.type})`);
      let body = jsonBody;
      if (wrapped) {
        let props: ReturnType<typeof jsonSchemaProperties>;
        try {
          props = jsonSchemaProperties(reg.schema);
        } catch (e) {
          throw new RecordFailure(`Invalid JSON schema with id ${id}: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (props !== undefined) body = physicalWriter(spec, props);
      }
      plan = { header: frameHeader(id), body };
    } else {
      if (!registry) throw new RecordFailure('No schema registry is configured to register the JSON_SR schema');
      const id = registry.register(subjectName(options.topic, spec.target), 'JSON', JSON.stringify(deriveJsonSchema(columns, wrapped)));
      plan = { header: frameHeader(id), body: jsonBody };
    }
    return plan;
  };

  return {
    serialize(values) {
      if (values === null) return null;
      try {
        if (values.length !== n) throw columnCountMismatch(true, n, values.length);
        const p = resolve();
        const body = p.body(values);
        // an unwrapped NULL is a null record, as for JSON
        return body === null ? null : Buffer.concat([p.header, body]);
      } catch (e) {
        throw asSerializeError(spec, e);
      }
    },
    deserialize(bytes) {
      if (bytes === null) return null;
      if (bytes.length === 0 || bytes[0] !== MAGIC_BYTE) throw deserializeFailure(spec, NO_MAGIC);
      if (bytes.length < HEADER_SIZE) throw deserializeFailure(spec, `Record is too short for the schema registry framing: ${bytes.length} bytes`);
      return json.deserialize(bytes.subarray(HEADER_SIZE));
    },
  };
};
