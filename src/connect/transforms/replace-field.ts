/** org.apache.kafka.connect.transforms.ReplaceField$Key / ReplaceField$Value: include, exclude, renames */
import { ConfigDef, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { javaSplit } from './cast.js';
import { addField, configValueError, copySchemaBasics, parseConfig, putChecked, requireMap, requireStruct, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';

const PURPOSE = 'field replacement';

function parseRenames(mappings: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = javaSplit(mapping, ':');
    if (parts.length !== 2) throw configValueError('renames', mappings, `Invalid rename mapping: ${mapping}`);
    m.set(parts[0]!, parts[1]!);
  }
  return m;
}

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'exclude', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'Fields to exclude. This takes precedence over the fields to include.' })
    .define({ name: 'include', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'Fields to include. If specified, only these fields will be used.' })
    .define({ name: 'renames', type: 'LIST', defaultValue: [], validator: (_n, v) => void parseRenames(v as string[]), importance: 'MEDIUM', documentation: 'Field rename mappings.' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

export class ReplaceField implements Transformation {
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private reverse = new Map<string, string>();
  private replaceNullWithDefault = true;
  private readonly schemaCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.exclude = new Set(c['exclude'] as string[]);
    this.include = new Set(c['include'] as string[]);
    this.renames = parseRenames(c['renames'] as string[]);
    this.reverse = new Map([...this.renames].map(([a, b]) => [b, a]));
    this.replaceNullWithDefault = c['replace.null.with.default'] as boolean;
  }

  private keep(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  private renamed(name: string): string {
    return this.renames.get(name) ?? name;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = Sides.value(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = Sides.schema(record, this.side);
    if (!schema) {
      const updated: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(requireMap(value, PURPOSE))) if (this.keep(k)) updated[this.renamed(k)] = v;
      return Sides.newRecord(record, this.side, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    let updatedSchema = this.schemaCache.get(struct.schema);
    if (!updatedSchema) {
      const fields: { name: string; schema: Schema }[] = [];
      for (const f of struct.schema.fields ?? []) if (this.keep(f.name)) addField(fields, this.renamed(f.name), f.schema);
      updatedSchema = copySchemaBasics(struct.schema, structSchema(fields));
      this.schemaCache.set(struct.schema, updatedSchema);
    }
    const out = new Struct(updatedSchema);
    for (const f of updatedSchema.fields ?? []) {
      const source = this.reverse.get(f.name) ?? f.name;
      putChecked(out, f.name, this.replaceNullWithDefault ? struct.get(source) : struct.getWithoutDefault(source));
    }
    return Sides.newRecord(record, this.side, updatedSchema, out);
  }

  close(): void {
    this.schemaCache.clear();
  }
}
