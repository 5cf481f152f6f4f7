/** Streams, tables, custom types and persistent queries known to an engine. */
import { CatalogError } from '../common/errors.js';
import type { SourcePosition } from '../common/errors.js';
import type { SqlType } from '../common/sql-types.js';
import type { DataSource } from './data-source.js';
import type { TypeLookup } from './resolve-type.js';

export type QueryState = 'RUNNING' | 'PAUSED' | 'ERROR';

export interface QueryInfo {
  readonly id: string;
  readonly sql: string;
  /** the stream or table it writes; undefined for none */
  readonly sink: string;
  readonly sources: readonly string[];
  state: QueryState;
}

export class Catalog {
  private readonly sources = new Map<string, DataSource>();
  private readonly types = new Map<string, SqlType>();
  readonly queries = new Map<string, QueryInfo>();

  readonly lookupType: TypeLookup = (name) => this.types.get(name.toUpperCase());

  getSource(name: string): DataSource | undefined {
    return this.sources.get(name);
  }

  requireSource(name: string, pos?: SourcePosition): DataSource {
    const s = this.sources.get(name);
    if (!s) throw new CatalogError(`${name} does not exist.`, pos);
    return s;
  }

  listSources(): DataSource[] {
    return [...this.sources.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  putSource(source: DataSource): void {
    this.sources.set(source.name, source);
  }

  removeSource(name: string): void {
    this.sources.delete(name);
  }

  /** queries that read the source */
  readersOf(name: string): QueryInfo[] {
    return [...this.queries.values()].filter((q) => q.sources.includes(name));
  }

  /** queries that write the source */
  writersOf(name: string): QueryInfo[] {
    return [...this.queries.values()].filter((q) => q.sink === name);
  }

  getType(name: string): SqlType | undefined {
    return this.types.get(name.toUpperCase());
  }

  listTypes(): [string, SqlType][] {
    return [...this.types.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  putType(name: string, type: SqlType): void {
    this.types.set(name.toUpperCase(), type);
  }

  removeType(name: string): boolean {
    return this.types.delete(name.toUpperCase());
  }
}
