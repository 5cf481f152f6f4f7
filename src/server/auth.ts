/**
 * Who a request is: HTTP Basic against a users file with scrypt-hashed passwords, or a bearer API
 * key (also stored hashed). Two roles: `admin` runs anything, `read-only` runs SELECT, PRINT, SHOW
 * and DESCRIBE only. A verified header is remembered (by its SHA-256, never in clear) so scrypt's
 * deliberate cost is paid once per client, not once per request.
 *
 * Users file (JSON):
 *   { "users":   { "alice": { "password": "scrypt$16384$8$1$<salt b64>$<hash b64>", "role": "admin" } },
 *     "apiKeys": { "dashboard": { "key": "scrypt$...", "role": "read-only" } } }
 * `sluice server hash-secret` prints a hash for a secret read from stdin.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { LRUCache } from 'lru-cache';
import { ConfigError } from '../index.js';
import type { ast } from '../index.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem?: number }) => Promise<Buffer>;

export type Role = 'admin' | 'read-only';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** how the principal proved itself */
  readonly method: 'basic' | 'bearer' | 'anonymous';
}

export const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin', method: 'anonymous' };

interface Credential {
  readonly hash: string;
  readonly role: Role;
}

export async function hashSecret(secret: string, N = 16384, r = 8, p = 1): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const want = Buffer.from(parts[5]!, 'base64');
  const got = await scrypt(secret, salt, want.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

function parseRole(value: unknown, where: string): Role {
  if (value === undefined || value === 'admin') return 'admin';
  if (value === 'read-only') return 'read-only';
  throw new ConfigError(`${where}: role must be "admin" or "read-only"`);
}

export class Authenticator {
  private readonly verified = new LRUCache<string, Principal>({ max: 10_000, ttl: 5 * 60_000 });

  private constructor(
    private readonly users: ReadonlyMap<string, Credential>,
    private readonly apiKeys: ReadonlyMap<string, Credential>,
  ) {}

  static async fromFile(path: string): Promise<Authenticator> {
    let doc: { users?: Record<string, { password?: string; role?: string }>; apiKeys?: Record<string, { key?: string; role?: string }> };
    try {
      doc = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read the users file ${path}: ${(e as Error).message.split('\n')[0]}`);
    }
    const users = new Map<string, Credential>();
    for (const [name, u] of Object.entries(doc.users ?? {})) {
      if (typeof u.password !== 'string' || !u.password.startsWith('scrypt$')) throw new ConfigError(`users file ${path}: user ${name} needs a "password" hashed with scrypt (sluice server hash-secret)`);
      users.set(name, { hash: u.password, role: parseRole(u.role, `users file ${path}: user ${name}`) });
    }
    const keys = new Map<string, Credential>();
    for (const [name, k] of Object.entries(doc.apiKeys ?? {})) {
      if (typeof k.key !== 'string' || !k.key.startsWith('scrypt$')) throw new ConfigError(`users file ${path}: API key ${name} needs a "key" hashed with scrypt (sluice server hash-secret)`);
      keys.set(name, { hash: k.key, role: parseRole(k.role, `users file ${path}: API key ${name}`) });
    }
    return new Authenticator(users, keys);
  }

  /** The principal an Authorization header proves, or undefined (never says which part was wrong). */
  async authenticate(header: string | undefined): Promise<Principal | undefined> {
    if (!header) return undefined;
    const digest = createHash('sha256').update(header).digest('base64');
    const known = this.verified.get(digest);
    if (known) return known;
    const principal = await this.check(header);
    if (principal) this.verified.set(digest, principal);
    return principal;
  }

  private async check(header: string): Promise<Principal | undefined> {
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      const name = decoded.slice(0, colon);
      const user = this.users.get(name);
      if (!user || !(await verifySecret(decoded.slice(colon + 1), user.hash))) return undefined;
      return { name, role: user.role, method: 'basic' };
    }
    if (scheme === 'bearer') {
      for (const [name, key] of this.apiKeys) if (await verifySecret(value, key.hash)) return { name, role: key.role, method: 'bearer' };
    }
    return undefined;
  }
}

/** What the read-only role may run. */
const READ_ONLY_KINDS: ReadonlySet<ast.StatementKind> = new Set(['QueryStatement', 'Print', 'Show', 'Describe', 'DescribeFunction', 'DescribeConnector'] as ast.StatementKind[]);

/** Statements that only change the requesting session (not audited, allowed to everyone). */
const SESSION_KINDS: ReadonlySet<ast.StatementKind> = new Set(['SetProperty', 'UnsetProperty', 'DefineVariable', 'UndefineVariable', 'OutputFormat', 'Spool'] as ast.StatementKind[]);

export function mayRun(principal: Principal, kind: ast.StatementKind): boolean {
  return principal.role === 'admin' || READ_ONLY_KINDS.has(kind);
}

/** A statement that changes something (DDL, queries, TERMINATE, INSERT, topics): audited. */
export function changesSomething(kind: ast.StatementKind): boolean {
  return !READ_ONLY_KINDS.has(kind) && !SESSION_KINDS.has(kind) && kind !== 'Explain' && !kind.startsWith('Assert');
}
