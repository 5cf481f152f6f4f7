/** PostgreSQL connections for the JDBC-compatible connectors: `connection.url` as JDBC spells it, through node-postgres. */
import pg from 'pg';
import { ConnectConfigError } from '../../api/config-def.js';
import { RetriableError } from '../../runtime/connect-errors.js';

export interface PgConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
}

/** `jdbc:postgresql://host[:port]/database[?user=..&password=..]` (or without `jdbc:`) */
export function parseJdbcUrl(url: string, user?: string, password?: string): PgConnectionSettings {
  const m = /^(?:jdbc:)?postgres(?:ql)?:\/\/([^/?:]*)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/.exec(url.trim());
  if (!m) throw new ConnectConfigError('connection.url', url, 'Expected jdbc:postgresql://host[:port]/database (only PostgreSQL is supported)');
  const params = new URLSearchParams(m[4] ?? '');
  const u = user ?? params.get('user') ?? undefined;
  const p = password ?? params.get('password') ?? undefined;
  return { host: m[1] || 'localhost', port: m[2] ? Number(m[2]) : 5432, database: decodeURIComponent(m[3] || 'postgres'), ...(u ? { user: u } : {}), ...(p ? { password: p } : {}) };
}

/** a connection whose failure is noticed (an idle client's socket error would otherwise be thrown unhandled) */
export async function connect(settings: PgConnectionSettings): Promise<pg.Client> {
  const client = new pg.Client({ ...settings, connectionTimeoutMillis: 10_000 });
  const broken = client as pg.Client & { broken?: Error };
  client.on('error', (e) => {
    broken.broken = e;
  });
  try {
    await client.connect();
  } catch (e) {
    void client.end().catch(() => {});
    throw asRetriable(e);
  }
  return client;
}

export function isBroken(client: pg.Client): boolean {
  return !!(client as pg.Client & { broken?: Error }).broken;
}

/** connection losses, server shutdowns, serialization failures and deadlocks: trying again may work */
export function isRetriable(e: unknown): boolean {
  if (e instanceof RetriableError) return true;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') return /^(08|40|53|57)/.test(code) || /^E[A-Z]+$/.test(code);
  const message = e instanceof Error ? e.message : String(e);
  return /Connection terminated|connection error|Connection refused|not queryable|timeout/i.test(message);
}

export function asRetriable(e: unknown): unknown {
  if (!isRetriable(e) || e instanceof RetriableError) return e;
  return new RetriableError(e instanceof Error ? e.message : String(e), { cause: e });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` or `table`, each part quoted */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}
