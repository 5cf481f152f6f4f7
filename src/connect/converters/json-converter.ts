/**
 * org.apache.kafka.connect.json.JsonConverter: Connect data <-> JSON bytes, with the
 * {"schema":...,"payload":...} envelope when schemas.enable=true (the default), decimals as base64
 * bytes or numbers (decimal.format), and replace.null.with.default. It follows Kafka's code path
 * step by step so that bytes, schemas and error messages are the same.
 */
import { ConfigDef, DataError, Struct, schemaEquals, type Converter, type ConnectHeader, type HeaderConverter, type Schema, type SchemaAndValue, type SchemaType } from '../api/index.js';
import { Validators } from '../transforms/util/validators.js';
import { JsonNodes, NULL_NODE, NodeValues, nodeType, parseJsonNodeWithSpans, stringifyJsonNode, type JsonNode } from './json-node.js';
import {
  dateFromLogical,
  decimalFromBytes,
  decimalFromParts,
  decimalParts,
  decimalToBytes,
  inferSchemaType,
  javaClassOf,
  mapEntries,
  timeFromLogical,
  timeToLogical,
} from './connect-values.js';
import { LogicalTypeNames } from '../api/index.js';
import { LRUCache } from 'lru-cache';
import { converterConfigDef, converterProps } from './converter-config.js';
import { parseConfig } from '../transforms/util/transform-support.js';

export interface JsonConverterOptions {
  readonly schemasEnabled: boolean;
  readonly decimalFormat: 'BASE64' | 'NUMERIC';
  readonly replaceNullWithDefault: boolean;
}

const TYPE_NAMES: Record<string, SchemaType> = {
  boolean: 'BOOLEAN',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float: 'FLOAT32',
  double: 'FLOAT64',
  bytes: 'BYTES',
  string: 'STRING',
  array: 'ARRAY',
  map: 'MAP',
  struct: 'STRUCT',
};
const JSON_TYPE_NAMES: Record<SchemaType, string> = Object.fromEntries(Object.entries(TYPE_NAMES).map(([k, v]) => [v, k])) as Record<SchemaType, string>;

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

export function jsonConverterConfigDef(): ConfigDef {
  return converterConfigDef()
    .define({ name: 'schemas.enable', type: 'BOOLEAN', defaultValue: true, importance: 'HIGH', documentation: 'Include schemas within each of the serialized values and keys.', group: 'Schemas', orderInGroup: 0, width: 'MEDIUM', displayName: 'Enable Schemas' })
    .define({ name: 'schemas.cache.size', type: 'INT', defaultValue: 1000, importance: 'HIGH', documentation: 'The maximum number of schemas that can be cached in this converter instance.', group: 'Schemas', orderInGroup: 1, width: 'MEDIUM', displayName: 'Schema Cache Size' })
    .define({
      name: 'decimal.format',
      type: 'STRING',
      defaultValue: 'BASE64',
      validator: Validators.caseInsensitiveValidString('BASE64', 'NUMERIC'),
      importance: 'LOW',
      documentation: 'Controls which format this converter will serialize decimals in. This value is case insensitive and can be either \'BASE64\' (default) or \'NUMERIC\'',
      group: 'Serialization',
      orderInGroup: 0,
      width: 'MEDIUM',
      displayName: 'Decimal Format',
    })
    .define({
      name: 'replace.null.with.default',
      type: 'BOOLEAN',
      defaultValue: true,
      importance: 'LOW',
      documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
      group: 'Serialization',
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Replace null with default',
    });
}

export class JsonConverter implements Converter, HeaderConverter {
  private options: JsonConverterOptions = { schemasEnabled: true, decimalFormat: 'BASE64', replaceNullWithDefault: true };
  // as Kafka's: the same schema converts to the same object, so transforms' schema caches hit
  private fromConnectSchemas = new LRUCache<Schema, JsonNode>({ max: 1000 });
  private fromConnectSchemaTexts = new LRUCache<Schema, string>({ max: 1000 });
  private toConnectSchemas = new LRUCache<string, { schema: Schema | null }>({ max: 1000 });

  config(): ConfigDef {
    return jsonConverterConfigDef();
  }

  /** isKey undefined: configured as a header converter (converter.type=header) */
  configure(props: Readonly<Record<string, string>>, isKey?: boolean): void {
    const parsed = parseConfig(jsonConverterConfigDef(), converterProps(props, isKey));
    this.options = {
      schemasEnabled: parsed['schemas.enable'] as boolean,
      decimalFormat: (parsed['decimal.format'] as string).toUpperCase() as 'BASE64' | 'NUMERIC',
      replaceNullWithDefault: parsed['replace.null.with.default'] as boolean,
    };
    const size = Math.max(1, parsed['schemas.cache.size'] as number);
    this.fromConnectSchemas = new LRUCache({ max: size });
    this.fromConnectSchemaTexts = new LRUCache({ max: size });
    this.toConnectSchemas = new LRUCache({ max: size });
  }

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, [], schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, [], value);
  }

  fromConnectData(_topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (schema === null && (value === null || value === undefined)) return null;
    if (this.options.schemasEnabled) {
      // the envelope with the schema's text from the cache
      const payload = stringifyJsonNode(this.convertToJson(schema, value) ?? NULL_NODE);
      return Buffer.from(`{"schema":${this.cachedSchemaText(schema)},"payload":${payload}}`, 'utf8');
    }
    const node = this.fromConnectNode(schema, value);
    return node === null ? null : Buffer.from(stringifyJsonNode(node), 'utf8');
  }

  /** the JSON tree fromConnectData would write (null for a null record) */
  fromConnectNode(schema: Schema | null, value: unknown): JsonNode | null {
    if (schema === null && (value === null || value === undefined)) return null;
    if (this.options.schemasEnabled) {
      return JsonNodes.object(
        new Map([
          ['schema', this.cachedJsonSchema(schema)],
          ['payload', this.convertToJson(schema, value) ?? NULL_NODE],
        ]),
      );
    }
    return this.convertToJson(schema, value) ?? NULL_NODE;
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value === null) return { schema: null, value: null };
    const text = value.toString('utf8');
    let parsed: ReturnType<typeof parseJsonNodeWithSpans>;
    try {
      parsed = parseJsonNodeWithSpans(text);
    } catch (err) {
      throw new DataError(`Converting byte[] to Kafka Connect data failed due to serialization error: ${(err as Error).message}`);
    }
    const span = parsed.spans.get('schema');
    return this.toConnectNode(parsed.node, span ? text.slice(span[0], span[1]) : undefined);
  }

  /** schemaText: the envelope's schema as written, the key of the schema cache */
  toConnectNode(node: JsonNode | undefined, schemaText?: string): SchemaAndValue {
    if (this.options.schemasEnabled) {
      if (!node || node.kind !== 'object' || node.fields.size !== 2 || !node.fields.has('schema') || !node.fields.has('payload')) throw new DataError(ENVELOPE_ERROR);
      const schemaNode = node.fields.get('schema')!;
      const key = schemaText ?? stringifyJsonNode(schemaNode);
      let cached = this.toConnectSchemas.get(key);
      if (!cached) {
        cached = { schema: this.asConnectSchema(schemaNode) };
        this.toConnectSchemas.set(key, cached);
      }
      return { schema: cached.schema, value: this.convertToConnect(cached.schema, node.fields.get('payload')) };
    }
    return { schema: null, value: this.convertToConnect(null, node) };
  }

  private cachedSchemaText(schema: Schema | null): string {
    if (!schema) return 'null';
    let text = this.fromConnectSchemaTexts.get(schema);
    if (text === undefined) {
      text = stringifyJsonNode(this.cachedJsonSchema(schema));
      this.fromConnectSchemaTexts.set(schema, text);
    }
    return text;
  }

  private cachedJsonSchema(schema: Schema | null): JsonNode {
    if (!schema) return NULL_NODE;
    let node = this.fromConnectSchemas.get(schema);
    if (!node) {
      node = this.asJsonSchema(schema)!;
      this.fromConnectSchemas.set(schema, node);
    }
    return node;
  }

  asJsonSchema(schema: Schema | null | undefined): JsonNode | null {
    if (!schema) return null;
    const fields = new Map<string, JsonNode>();
    fields.set('type', JsonNodes.text(JSON_TYPE_NAMES[schema.type]));
    switch (schema.type) {
      case 'ARRAY':
        fields.set('items', this.asJsonSchema(schema.valueSchema) ?? NULL_NODE);
        break;
      case 'MAP':
        fields.set('keys', this.asJsonSchema(schema.keySchema) ?? NULL_NODE);
        fields.set('values', this.asJsonSchema(schema.valueSchema) ?? NULL_NODE);
        break;
      case 'STRUCT':
        fields.set(
          'fields',
          JsonNodes.array(
            (schema.fields ?? []).map((f) => {
              const fieldSchema = this.asJsonSchema(f.schema)!;
              const copy = new Map((fieldSchema as { fields: Map<string, JsonNode> }).fields);
              copy.set('field', JsonNodes.text(f.name));
              return JsonNodes.object(copy);
            }),
          ),
        );
        break;
      default:
        break;
    }
    fields.set('optional', JsonNodes.bool(schema.optional));
    if (schema.name !== undefined && schema.name !== null) fields.set('name', JsonNodes.text(schema.name));
    if (schema.version !== undefined && schema.version !== null) fields.set('version', JsonNodes.int(schema.version));
    if (schema.doc !== undefined && schema.doc !== null) fields.set('doc', JsonNodes.text(schema.doc));
    if (schema.parameters) fields.set('parameters', JsonNodes.object(new Map(Object.entries(schema.parameters).map(([k, v]) => [k, JsonNodes.text(v)]))));
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) fields.set('default', this.convertToJson(schema, schema.defaultValue) ?? NULL_NODE);
    return JsonNodes.object(fields);
  }

  asConnectSchema(node: JsonNode): Schema | null {
    if (node.kind === 'null') return null;
    const get = (name: string): JsonNode | undefined => (node.kind === 'object' ? node.fields.get(name) : undefined);
    const typeNode = get('type');
    if (!typeNode || typeNode.kind !== 'string') throw new DataError("Schema must contain 'type' field");
    const type = TYPE_NAMES[typeNode.value];
    if (!type) throw new DataError(`Unknown schema type: ${typeNode.value}`);
    let schema: { -readonly [K in keyof Schema]: Schema[K] } = { type, optional: false };
    if (type === 'ARRAY') {
      const items = get('items');
      if (!items || items.kind === 'null') throw new DataError('Array schema did not specify the element type');
      schema.valueSchema = this.asConnectSchema(items) ?? undefined;
    } else if (type === 'MAP') {
      const keys = get('keys');
      if (!keys) throw new DataError('Map schema did not specify the key type');
      const values = get('values');
      if (!values) throw new DataError('Map schema did not specify the value type');
      schema.keySchema = this.asConnectSchema(keys) ?? undefined;
      schema.valueSchema = this.asConnectSchema(values) ?? undefined;
    } else if (type === 'STRUCT') {
      const fields = get('fields');
      if (!fields || fields.kind !== 'array') throw new DataError('Struct schema\'s "fields" argument is not an array.');
      const out: { name: string; index: number; schema: Schema }[] = [];
      for (const f of fields.items) {
        const fname = f.kind === 'object' ? f.fields.get('field') : undefined;
        if (!fname || fname.kind !== 'string') throw new DataError("Struct schema's field name not specified properly");
        if (out.some((o) => o.name === fname.value)) throw new DataError(`Cannot create field because of field name duplication ${fname.value}`);
        const fs = this.asConnectSchema(f);
        if (!fs) throw new DataError(`field schema for field ${fname.value} cannot be null.`);
        out.push({ name: fname.value, index: out.length, schema: fs });
      }
      schema.fields = out;
    }
    const optional = get('optional');
    schema.optional = optional?.kind === 'boolean' && optional.value;
    const name = get('name');
    if (name?.kind === 'string') schema.name = name.value;
    const version = get('version');
    if (version && NodeValues.isIntegral(version)) schema.version = NodeValues.intValue(version);
    const doc = get('doc');
    if (doc?.kind === 'string') schema.doc = doc.value;
    const params = get('parameters');
    if (params?.kind === 'object') {
      const p: Record<string, string> = {};
      for (const [k, v] of params.fields) {
        if (v.kind !== 'string') throw new DataError('Schema parameters must have string values.');
        p[k] = v.value;
      }
      schema.parameters = p;
    }
    const def = get('default');
    if (def) {
      const value = this.convertToConnect(schema, def);
      if (value !== null) schema = { ...schema, defaultValue: value };
    }
    return schema;
  }

  convertToJson(schema: Schema | null | undefined, value: unknown): JsonNode | null {
    if (value === null || value === undefined) {
      if (!schema) return null;
      if (schema.defaultValue !== undefined && schema.defaultValue !== null && this.options.replaceNullWithDefault) return this.convertToJson(schema, schema.defaultValue);
      if (schema.optional) return NULL_NODE;
      throw new DataError('Conversion error: null value for field that is required and has no default value');
    }
    if (schema?.name !== undefined) {
      switch (schema.name) {
        case LogicalTypeNames.decimal: {
          // a Decimal-named schema of another type (Cast keeps the name) cannot hold a BigDecimal
          if (typeof value !== 'string' || schema.type !== 'BYTES') throw new DataError(`Invalid type for Decimal, expected BigDecimal but was ${javaClassOf(value, schema)}`);
          if (this.options.decimalFormat === 'NUMERIC') return JsonNodes.decimal(value);
          return JsonNodes.binary(decimalToBytes(schema, value));
        }
        case LogicalTypeNames.date:
          if (!(value instanceof Date)) throw new DataError(`Invalid type for Date, expected Date but was ${javaClassOf(value, schema)}`);
          return JsonNodes.int(dateFromLogical(value));
        case LogicalTypeNames.time:
          if (!(value instanceof Date)) throw new DataError(`Invalid type for Time, expected Date but was ${javaClassOf(value, schema)}`);
          return JsonNodes.int(timeFromLogical(value));
        case LogicalTypeNames.timestamp:
          if (!(value instanceof Date)) throw new DataError(`Invalid type for Timestamp, expected Date but was ${javaClassOf(value, schema)}`);
          return JsonNodes.long(BigInt(value.getTime()));
        default:
          break;
      }
    }
    const type = schema ? schema.type : inferSchemaType(value);
    if (!type) throw new DataError(`Java class ${javaClassOf(value)} does not have corresponding schema type.`);
    const wrong = (): never => {
      throw new DataError(`Invalid type for ${schema ? schema.type : 'unknown schema'}: ${javaClassOf(value)}`);
    };
    switch (type) {
      case 'INT8':
      case 'INT16':
      case 'INT32':
        if (typeof value !== 'number') wrong();
        return JsonNodes.int(value as number);
      case 'INT64':
        if (typeof value === 'bigint') return JsonNodes.long(value);
        if (typeof value === 'number' && Number.isInteger(value)) return JsonNodes.long(BigInt(value));
        return wrong();
      case 'FLOAT32':
        if (typeof value !== 'number') wrong();
        return JsonNodes.float(value as number);
      case 'FLOAT64':
        if (typeof value !== 'number') wrong();
        return JsonNodes.double(value as number);
      case 'BOOLEAN':
        if (typeof value !== 'boolean') wrong();
        return JsonNodes.bool(value as boolean);
      case 'STRING':
        if (typeof value !== 'string') wrong();
        return JsonNodes.text(value as string);
      case 'BYTES':
        if (!Buffer.isBuffer(value)) throw new DataError(`Invalid type for bytes type: ${javaClassOf(value)}`);
        return JsonNodes.binary(value);
      case 'ARRAY': {
        if (!Array.isArray(value)) wrong();
        return JsonNodes.array((value as unknown[]).map((v) => this.convertToJson(schema?.valueSchema ?? null, v) ?? NULL_NODE));
      }
      case 'MAP': {
        if (!(value instanceof Map) && (typeof value !== 'object' || Array.isArray(value) || value instanceof Struct)) wrong();
        const entries = mapEntries(value);
        const objectMode = schema ? schema.keySchema?.type === 'STRING' : entries.every(([k]) => typeof k === 'string');
        if (objectMode) {
          const fields = new Map<string, JsonNode>();
          for (const [k, v] of entries) fields.set(NodeValues.asText(this.convertToJson(schema?.keySchema ?? null, k) ?? NULL_NODE), this.convertToJson(schema?.valueSchema ?? null, v) ?? NULL_NODE);
          return JsonNodes.object(fields);
        }
        return JsonNodes.array(entries.map(([k, v]) => JsonNodes.array([this.convertToJson(schema?.keySchema ?? null, k) ?? NULL_NODE, this.convertToJson(schema?.valueSchema ?? null, v) ?? NULL_NODE])));
      }
      case 'STRUCT': {
        if (!(value instanceof Struct)) return wrong();
        if (!schema || !schemaEquals(value.schema, schema)) throw new DataError('Mismatching schema.');
        const fields = new Map<string, JsonNode>();
        for (const f of schema.fields ?? []) fields.set(f.name, this.convertToJson(f.schema, value.getWithoutDefault(f.name)) ?? NULL_NODE);
        return JsonNodes.object(fields);
      }
    }
  }

  convertToConnect(schema: Schema | null | undefined, node: JsonNode | undefined): unknown {
    let type: SchemaType | undefined;
    if (schema) {
      type = schema.type;
      if (!node || node.kind === 'null') {
        if (schema.defaultValue !== undefined && schema.defaultValue !== null && this.options.replaceNullWithDefault) return schema.defaultValue;
        if (schema.optional) return null;
        throw new DataError(`Invalid null value for required ${type} field`);
      }
    } else {
      switch (nodeType(node)) {
        case 'NULL':
        case 'MISSING':
          return null;
        case 'BOOLEAN':
          type = 'BOOLEAN';
          break;
        case 'NUMBER':
          type = NodeValues.isIntegral(node!) ? 'INT64' : 'FLOAT64';
          break;
        case 'ARRAY':
          type = 'ARRAY';
          break;
        case 'OBJECT':
          type = 'MAP';
          break;
        case 'STRING':
          type = 'STRING';
          break;
        default:
          throw new DataError(`Unknown schema type: null`);
      }
    }
    const n = node!;
    if (schema?.name !== undefined) {
      switch (schema.name) {
        case LogicalTypeNames.decimal:
          if (n.kind === 'number') {
            const { unscaled, scale } = decimalParts(n.text);
            return decimalFromParts(unscaled, scale);
          }
          if (n.kind === 'string' || n.kind === 'binary') {
            try {
              return decimalFromBytes(schema, NodeValues.binaryValue(n)!);
            } catch {
              throw new DataError('Invalid bytes for Decimal field');
            }
          }
          throw new DataError(`Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeType(n)}`);
        case LogicalTypeNames.date:
          if (!NodeValues.isInt(n)) throw new DataError(`Invalid type for Date, underlying representation should be integer but was ${nodeType(n)}`);
          return new Date(NodeValues.intValue(n) * 86_400_000);
        case LogicalTypeNames.time:
          if (!NodeValues.isInt(n)) throw new DataError(`Invalid type for Time, underlying representation should be integer but was ${nodeType(n)}`);
          return timeToLogical(NodeValues.intValue(n));
        case LogicalTypeNames.timestamp:
          if (!NodeValues.isIntegral(n)) throw new DataError(`Invalid type for Timestamp, underlying representation should be integral but was ${nodeType(n)}`);
          return new Date(Number(NodeValues.longValue(n)));
        default:
          break;
      }
    }
    switch (type) {
      case 'BOOLEAN':
        return NodeValues.booleanValue(n);
      case 'INT8':
        return (NodeValues.intValue(n) << 24) >> 24;
      case 'INT16':
        return (NodeValues.intValue(n) << 16) >> 16;
      case 'INT32':
        return NodeValues.intValue(n);
      case 'INT64': {
        const v = NodeValues.longValue(n);
        // schemaless integers are plain numbers while they are exact (api/schema.ts)
        return schema ? v : Number.isSafeInteger(Number(v)) ? Number(v) : v;
      }
      case 'FLOAT32':
        return NodeValues.floatValue(n);
      case 'FLOAT64':
        return NodeValues.doubleValue(n);
      case 'BYTES':
        try {
          return NodeValues.binaryValue(n);
        } catch {
          throw new DataError('Invalid bytes field');
        }
      case 'STRING':
        return NodeValues.textValue(n);
      case 'ARRAY': {
        const items = n.kind === 'array' ? n.items : [];
        return items.map((item) => this.convertToConnect(schema?.valueSchema ?? null, item));
      }
      case 'MAP': {
        if (!schema || schema.keySchema?.type === 'STRING') {
          if (n.kind !== 'object') throw new DataError(`Maps with string fields should be encoded as JSON objects, but found ${nodeType(n)}`);
          if (!schema) {
            const out: Record<string, unknown> = {};
            // defineProperty: a "__proto__" key in the input must stay a plain field
            for (const [k, v] of n.fields) Object.defineProperty(out, k, { value: this.convertToConnect(null, v), enumerable: true, writable: true, configurable: true });
            return out;
          }
          const out = new Map<unknown, unknown>();
          for (const [k, v] of n.fields) out.set(k, this.convertToConnect(schema.valueSchema, v));
          return out;
        }
        if (n.kind !== 'array') throw new DataError(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeType(n)}`);
        const out = new Map<unknown, unknown>();
        for (const entry of n.items) {
          if (entry.kind !== 'array') throw new DataError(`Found invalid map entry instead of array tuple: ${nodeType(entry)}`);
          if (entry.items.length !== 2) throw new DataError(`Found invalid map entry, expected length 2 but found :${entry.items.length}`);
          out.set(this.convertToConnect(schema.keySchema, entry.items[0]), this.convertToConnect(schema.valueSchema, entry.items[1]));
        }
        return out;
      }
      case 'STRUCT': {
        if (n.kind !== 'object') throw new DataError(`Structs should be encoded as JSON objects, but found ${nodeType(n)}`);
        const struct = new Struct(schema!);
        for (const f of schema!.fields ?? []) {
          const v = this.convertToConnect(f.schema, n.fields.get(f.name));
          validateFieldValue(f.name, f.schema, v);
          struct.put(f.name, v);
        }
        return struct;
      }
      default:
        throw new DataError(`Unknown schema type: ${type}`);
    }
  }
}

/** ConnectSchema.validateValue's null check, the one Struct.put can hit for converted values */
function validateFieldValue(name: string, schema: Schema, value: unknown): void {
  if (value === null || value === undefined) {
    if (schema.optional) return;
    throw new DataError(`Invalid value: null used for required field: "${name}", schema type: ${schema.type}`);
  }
}
