/** transforms.field.SingleFieldPath and FieldSyntaxVersion (KIP-821): `a.b` paths with backtick quoting in V2. */
import { ConfigDef, DataError, Schemas, type Field, type Schema, type Struct } from '../../api/index.js';
import { Validators } from './validators.js';
import { configError, configValueError, requireMapOrNull, requireStructOrNull } from './transform-support.js';

export type FieldSyntaxVersion = 'V1' | 'V2';

export const FIELD_SYNTAX_VERSION_CONFIG = 'field.syntax.version';

export function appendFieldSyntaxVersion(def: ConfigDef): ConfigDef {
  return def.define({
    name: FIELD_SYNTAX_VERSION_CONFIG,
    type: 'STRING',
    defaultValue: 'V1',
    validator: Validators.caseInsensitiveValidString('V1', 'V2'),
    importance: 'HIGH',
    documentation:
      'Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its elements: "`foo.bar`.baz".',
  });
}

export function fieldSyntaxVersionFrom(config: Record<string, unknown>): FieldSyntaxVersion {
  const v = String(config[FIELD_SYNTAX_VERSION_CONFIG]).toUpperCase();
  if (v !== 'V1' && v !== 'V2') throw configValueError(FIELD_SYNTAX_VERSION_CONFIG, config[FIELD_SYNTAX_VERSION_CONFIG], 'Unrecognized field syntax version');
  return v;
}

export class SingleFieldPath {
  readonly steps: readonly string[];

  constructor(
    pathText: string,
    readonly version: FieldSyntaxVersion,
  ) {
    this.steps = version === 'V1' ? [pathText] : buildV2(pathText);
  }

  fieldFrom(schema: Schema | null): Field | null {
    if (!schema) return null;
    let current = schema;
    const lookup = (s: Schema, name: string): Field | undefined => {
      if (s.type !== 'STRUCT') throw new DataError('Cannot look up fields on non-struct type');
      return Schemas.field(s, name);
    };
    for (const step of this.steps.slice(0, -1)) {
      const field = lookup(current, step);
      if (!field) return null;
      current = field.schema;
    }
    return lookup(current, this.steps[this.steps.length - 1]!) ?? null;
  }

  valueFromStruct(struct: Struct | null, withDefault = true): unknown {
    if (!struct) return null;
    let current: Struct | null = struct;
    for (const step of this.steps.slice(0, -1)) {
      if (!Schemas.field(current.schema, step)) return null;
      current = requireStructOrNull(current.get(step), 'nested field access');
      if (!current) return null;
    }
    const last = this.steps[this.steps.length - 1]!;
    if (!Schemas.field(current.schema, last)) return null;
    return withDefault ? current.get(last) : current.getWithoutDefault(last);
  }

  valueFromMap(map: Record<string, unknown> | null): unknown {
    if (!map) return null;
    let current: Record<string, unknown> | null = map;
    for (const step of this.steps.slice(0, -1)) {
      current = requireMapOrNull(current[step], 'nested field access');
      if (!current) return null;
    }
    return current[this.steps[this.steps.length - 1]!] ?? null;
  }
}

function buildV2(path: string): string[] {
  const steps: string[] = [];
  let idx = 0;
  const incomplete = (at: number): never => {
    throw configError(`Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`);
  };
  while (idx < path.length && idx >= 0) {
    if (path[idx] !== '`') {
      const start = idx;
      idx = path.indexOf('.', idx);
      if (idx >= 0) {
        steps.push(path.slice(start, idx));
        idx++;
      } else steps.push(path.slice(start));
    } else {
      const backtickAt = idx;
      idx++;
      let field = '';
      let start = idx;
      for (;;) {
        idx = path.indexOf('`', idx);
        if (idx === -1) incomplete(backtickAt);
        const escaped = path[idx - 1] === '\\';
        if (idx >= path.length - 1) {
          if (escaped) incomplete(backtickAt);
          field += path.slice(start, idx);
          steps.push(field);
          idx++;
          break;
        }
        if (path[idx + 1] !== '.') {
          idx++;
          continue;
        }
        if (escaped) {
          field += path.slice(start, idx - 1) + '`';
          idx++;
          start = idx;
          continue;
        }
        field += path.slice(start, idx);
        steps.push(field);
        idx += 2;
        break;
      }
    }
  }
  if (path.length > 0 && path[path.length - 1] === '.') steps.push('');
  return steps;
}
