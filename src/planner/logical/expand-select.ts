/**
 * The projection's items as named columns: `*` and `s.*` expanded against the input's row layout,
 * `struct->*` into its fields, and generated names (KSQL_COL_n) for unnamed expressions.
 */
import { PlanError } from '../../common/errors.js';
import { RESERVED_COLUMN_NAMES, WINDOW_BOUNDS_COLUMNS, quoteIdentifierIfNeeded } from '../../common/schema.js';
import { formatSqlType } from '../../common/sql-types.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import type { ColumnRef, Expression, Query, SelectItem as AstSelectItem } from '../../sql/ast.js';
import type { TypeOf } from '../plan-context.js';
import type { JoinKey } from './build-from.js';

/** A select item whose bare table-function call was replaced by a synthetic column keeps a generated name. */
export type SelectItem = AstSelectItem | (AstSelectItem & { readonly generatedName: true });

/** One projected column: its output name and expression. */
export interface Projected {
  readonly name: string;
  readonly expression: Expression;
}

export const columnRef = (name: string, source?: string): ColumnRef => (source ? { kind: 'ColumnRef', name, source } : { kind: 'ColumnRef', name });

interface ExpandContext {
  readonly columns: readonly RowColumn[];
  /** in a join, columns from `*` and qualified references are named ALIAS_COLUMN */
  readonly joinKey: JoinKey | undefined;
  readonly keyNames: readonly string[];
  readonly typeOf: TypeOf;
  readonly nextGenerated: () => string;
  /** a struct field's name, suffixed _1, _2... when taken (ksqlDB's column alias generator) */
  readonly fieldName: (field: string) => string;
  /** a join re-keyed by PARTITION BY: `*` takes the sources' pseudo columns as values, as ksqlDB does */
  readonly pseudoAsValues: boolean;
  /** a join of windowed sources: each one's key columns, after which `*` puts its window bounds */
  readonly windowedKeys: ReadonlyMap<string, readonly string[]>;
}

export function expandSelect(
  select: readonly SelectItem[],
  columns: readonly RowColumn[],
  keyNames: readonly string[],
  typeOf: TypeOf,
  joinKey: JoinKey | undefined,
  declared: readonly string[],
  pseudoAsValues = false,
  windowedKeys: ReadonlyMap<string, readonly string[]> = new Map(),
): Projected[] {
  let generated = 0;
  // generated names skip aliases and the names the sources themselves declare
  const explicitNames = new Set([...select.flatMap((s) => (s.kind === 'SingleColumn' && s.alias ? [s.alias] : [])), ...declared]);
  const nextGenerated = () => {
    let name: string;
    do name = `KSQL_COL_${generated++}`;
    while (explicitNames.has(name));
    return name;
  };
  // a struct field is named after the field, suffixed when a source column or an earlier field has the name
  const usedFieldNames = new Set(declared);
  const fieldName = (field: string): string => {
    let name = field;
    for (let n = 1; usedFieldNames.has(name); n++) name = `${field}_${n}`;
    usedFieldNames.add(name);
    return name;
  };
  const cx: ExpandContext = { columns, joinKey, keyNames, typeOf, nextGenerated, fieldName, pseudoAsValues, windowedKeys };
  return select.flatMap((item) => EXPAND[item.kind](item as never, cx));
}

type Expander<K extends AstSelectItem['kind']> = (item: Extract<SelectItem, { readonly kind: K }>, cx: ExpandContext) => Projected[];

const EXPAND: { readonly [K in AstSelectItem['kind']]: Expander<K> } = {
  AllColumns: (item, { columns, joinKey, keyNames, pseudoAsValues, windowedKeys }) => {
    if (item.source && !columns.some((c) => c.source === item.source)) throw new PlanError(`'${item.source}' is not a valid stream/table name or alias.`, item.pos);
    const out: Projected[] = [];
    if (joinKey && !item.source && joinKey.synthetic) out.push({ name: joinKey.keyColumn, expression: columnRef(joinKey.keyColumn) });
    for (const c of joinKey ? windowBoundsAfterKeys(columns, windowedKeys) : columns) {
      if (joinKey && c.source && windowedKeys.has(c.source) && (WINDOW_BOUNDS_COLUMNS as readonly string[]).includes(c.name)) {
        if (!item.source || item.source === c.source) out.push({ name: `${c.source}_${c.name}`, expression: columnRef(c.name, c.source) });
        continue;
      }
      const pseudo = RESERVED_COLUMN_NAMES.has(c.name) && !keyNames.includes(c.name) && !(pseudoAsValues && c.source);
      if ((item.source && c.source !== item.source) || pseudo || c.name.startsWith('KSQL_SYNTH_') || (joinKey && !c.source)) continue;
      out.push(joinKey ? { name: `${c.source}_${c.name}`, expression: columnRef(c.name, c.source) } : { name: c.name, expression: columnRef(c.name) });
    }
    return out;
  },
  StructAll: (item, { columns, typeOf }) => {
    const t = typeOf(item.struct, columns);
    if (t.kind !== 'STRUCT') throw new PlanError(`Expected a STRUCT for ->* but got ${formatSqlType(t)}`, item.pos);
    return t.fields.map((f) => ({ name: f.name, expression: { kind: 'Dereference', base: item.struct, field: f.name } }));
  },
  SingleColumn: (item, { columns, joinKey, nextGenerated, fieldName }) => {
    const e = item.expression;
    // in a join, a qualified column whose name several sources have is named ALIAS_COLUMN
    const clash = (name: string) => new Set(columns.filter((c) => c.name === name && c.source).map((c) => c.source)).size > 1;
    const derived =
      e.kind === 'ColumnRef' && !('generatedName' in item)
        ? joinKey && e.source && clash(e.name)
          ? `${e.source}_${e.name}`
          : e.name
        : e.kind === 'Dereference' && !item.alias
          ? fieldName(e.field)
          : undefined;
    return [{ name: item.alias ?? derived ?? nextGenerated(), expression: e }];
  },
};

/** a join of windowed sources lists each one's window bounds right after its key columns, as ksqlDB's `*` does */
function windowBoundsAfterKeys(columns: readonly RowColumn[], windowedKeys: ReadonlyMap<string, readonly string[]>): readonly RowColumn[] {
  if (!windowedKeys.size) return columns;
  const isBound = (c: RowColumn) => c.source !== undefined && windowedKeys.has(c.source) && (WINDOW_BOUNDS_COLUMNS as readonly string[]).includes(c.name);
  const out: RowColumn[] = [];
  for (const c of columns) {
    if (isBound(c)) continue;
    out.push(c);
    const keys = c.source === undefined ? undefined : windowedKeys.get(c.source);
    // after the source's last key column come its bounds
    if (keys && c.name === keys[keys.length - 1]) out.push(...columns.filter((b) => b.source === c.source && isBound(b)));
  }
  return out;
}

/** A pseudo column projected under its own name would clash with the sink's pseudo column. */
export function checkReservedSelectNames(query: Query, joined: boolean): void {
  for (const item of query.select) {
    if (item.kind !== 'SingleColumn' || item.expression.kind !== 'ColumnRef') continue;
    if (joined && item.expression.source && !item.alias) continue; // named ALIAS_ROWTIME in a join
    const name = item.alias ?? item.expression.name;
    if (RESERVED_COLUMN_NAMES.has(name) && name === item.expression.name)
      throw new PlanError(`Reserved column name in select: \`${name}\`. Please remove or alias the column.`, item.pos);
  }
}

/** Reserved and duplicate names among the value columns (of a projection that is not an aggregation). */
export function checkValueNames(values: readonly Projected[], query: Query, keyNames: readonly string[] = []): void {
  const names = new Set<string>(keyNames);
  for (const p of values) {
    checkReservedValueName(p.name, query);
    if (names.has(p.name)) throw new PlanError(`Duplicate column names: ${quoteIdentifierIfNeeded(p.name)}`, query.pos);
    names.add(p.name);
  }
}

export function checkReservedValueName(name: string, query: Query): void {
  if (!RESERVED_COLUMN_NAMES.has(name)) return;
  const aliased = query.select.some((s) => s.kind === 'SingleColumn' && s.alias === name);
  throw new PlanError(
    aliased ? `\`${name}\` is a reserved column name. You cannot use it as an alias for a column.` : `Reserved column name in select: \`${name}\`. Please remove or alias the column.`,
    query.pos,
  );
}
