/**
 * The function registry: built-in and embedder-registered scalar, aggregate and table functions,
 * looked up case-insensitively, described for SHOW FUNCTIONS / DESCRIBE FUNCTION, and resolved to
 * one overload per call.
 */
import { ConfigError, TypeCheckError } from '../common/errors.js';
import type { AggregateFunction, AggregateOverload, ScalarFunction, ScalarOverload, TableFunction, TableOverload } from './function-types.js';
import type { ArgShape, Resolution } from './resolve-overload.js';
import { resolveOverload } from './resolve-overload.js';
import { formatSignature } from './signature-format.js';

export type FunctionKind = 'SCALAR' | 'AGGREGATE' | 'TABLE';

export interface FunctionInfo {
  readonly name: string;
  readonly kind: FunctionKind;
  readonly category: string;
  readonly description: string;
  /** one per overload, e.g. `ARRAY_CONTAINS(ARRAY<T>, T) -> BOOLEAN` */
  readonly signatures: readonly string[];
}

type Entry =
  | { readonly kind: 'SCALAR'; readonly fn: ScalarFunction }
  | { readonly kind: 'AGGREGATE'; readonly fn: AggregateFunction }
  | { readonly kind: 'TABLE'; readonly fn: TableFunction };

export class FunctionRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Adds a scalar function; a name already registered (of any kind) is an error. */
  registerScalar(fn: ScalarFunction): void {
    this.add({ kind: 'SCALAR', fn });
  }

  registerAggregate(fn: AggregateFunction): void {
    this.add({ kind: 'AGGREGATE', fn });
  }

  registerTable(fn: TableFunction): void {
    this.add({ kind: 'TABLE', fn });
  }

  private add(entry: Entry): void {
    const key = entry.fn.name.toUpperCase();
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new ConfigError(`Invalid function name '${entry.fn.name}'`);
    if (entry.fn.overloads.length === 0) throw new ConfigError(`Function '${key}' has no overloads`);
    if (entry.kind === 'AGGREGATE')
      for (const o of entry.fn.overloads) {
        if (o.initVariadic && !o.initParams?.length) throw new ConfigError(`Function '${key}': initVariadic needs init params`);
        if (o.initVariadic && o.variadic) throw new ConfigError(`Function '${key}': an overload may have variadic column params or variadic init params, not both`);
      }
    const existing = this.entries.get(key);
    if (existing) throw new ConfigError(`A ${existing.kind.toLowerCase()} function named '${key}' is already registered`);
    this.entries.set(key, entry);
  }

  has(name: string): boolean {
    return this.entries.has(name.toUpperCase());
  }

  kindOf(name: string): FunctionKind | undefined {
    return this.entries.get(name.toUpperCase())?.kind;
  }

  getScalar(name: string): ScalarFunction | undefined {
    const e = this.entries.get(name.toUpperCase());
    return e?.kind === 'SCALAR' ? e.fn : undefined;
  }

  getAggregate(name: string): AggregateFunction | undefined {
    const e = this.entries.get(name.toUpperCase());
    return e?.kind === 'AGGREGATE' ? e.fn : undefined;
  }

  getTable(name: string): TableFunction | undefined {
    const e = this.entries.get(name.toUpperCase());
    return e?.kind === 'TABLE' ? e.fn : undefined;
  }

  isAggregate(name: string): boolean {
    return this.kindOf(name) === 'AGGREGATE';
  }

  isTable(name: string): boolean {
    return this.kindOf(name) === 'TABLE';
  }

  /** All functions, sorted by name. */
  list(): FunctionInfo[] {
    return [...this.entries.keys()].sort().map((k) => this.describe(k)!);
  }

  describe(name: string): FunctionInfo | undefined {
    const e = this.entries.get(name.toUpperCase());
    if (!e) return undefined;
    const fn = e.fn;
    return {
      name: fn.name.toUpperCase(),
      kind: e.kind,
      category: e.kind === 'SCALAR' ? e.fn.category : e.kind === 'AGGREGATE' ? 'AGGREGATE' : 'TABLE',
      description: fn.description,
      signatures: (fn.overloads as readonly Parameters<typeof formatSignature>[1][]).map((o) => formatSignature(fn.name.toUpperCase(), o)),
    };
  }

  resolveScalar(name: string, args: readonly ArgShape[]): Resolution<ScalarOverload> {
    const fn = this.getScalar(name) ?? this.missing(name, 'SCALAR');
    return resolveOverload(fn.displayName ?? fn.name, fn.overloads, args);
  }

  /** Arguments are the column arguments followed by the literal (init) arguments. */
  resolveAggregate(name: string, args: readonly ArgShape[]): Resolution<AggregateOverload> {
    const fn = this.getAggregate(name) ?? this.missing(name, 'AGGREGATE');
    return resolveOverload(fn.displayName ?? fn.name, fn.overloads, args);
  }

  resolveTable(name: string, args: readonly ArgShape[]): Resolution<TableOverload> {
    const fn = this.getTable(name) ?? this.missing(name, 'TABLE');
    return resolveOverload(fn.displayName ?? fn.name, fn.overloads, args);
  }

  private missing(name: string, kind: FunctionKind): never {
    const actual = this.kindOf(name);
    if (actual) throw new TypeCheckError(`Function '${name.toUpperCase()}' is a ${actual.toLowerCase()} function, not a ${kind.toLowerCase()} function`);
    throw new TypeCheckError(`Can't find any functions with the name '${name.toUpperCase()}'`);
  }
}
