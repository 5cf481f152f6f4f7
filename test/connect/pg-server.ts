/**
 * A real PostgreSQL server for the tests: Debian's postgresql binaries (initdb + pg_ctl), in a
 * temporary directory, on a free port, stopped and removed at the end. As root (CI), the server runs
 * as the `postgres` user, since PostgreSQL refuses to run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

export const postgresAvailable = (): boolean => binDir() !== undefined;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class PgServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly asUser: string | undefined,
  ) {}

  get url(): string {
    return `jdbc:postgresql://127.0.0.1:${this.port}/postgres`;
  }

  client(): pg.Client {
    return new pg.Client({ host: '127.0.0.1', port: this.port, user: 'sluice', database: 'postgres' });
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = this.client();
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  }

  private run(tool: string, args: string[]): void {
    const cmd = join(this.bin, tool);
    const r = this.asUser ? spawnSync('runuser', ['-u', this.asUser, '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr || r.stdout}`);
  }

  static async start(): Promise<PgServer> {
    const bin = binDir();
    if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (asUser) {
      const uid = Number(execFileSync('id', ['-u', asUser], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', asUser], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const server = new PgServer(dir, await freePort(), bin, asUser);
    server.run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'sluice', '--no-sync', '-E', 'UTF8']);
    await server.startServer();
    return server;
  }

  async startServer(): Promise<void> {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log.txt'), '-w', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50 -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10`, 'start']);
  }

  /** mode immediate: as a crash would */
  async stopServer(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  async stop(): Promise<void> {
    try {
      await this.stopServer();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One PostgreSQL server and one temporary directory for a whole test file, started in `before` and
 * removed in `after`; `skip` is the reason to pass to each test when PostgreSQL is not installed.
 */
export function pgFixture(prefix: string): { readonly skip: string | false; readonly pg: PgServer; readonly dir: string } {
  const skip = postgresAvailable() ? false : 'PostgreSQL is not installed (apt-get install postgresql)';
  let server: PgServer | undefined;
  let dir: string | undefined;
  before(async () => {
    if (skip) return;
    server = await PgServer.start();
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    skip,
    get pg() {
      if (!server) throw new Error('the PostgreSQL fixture is used before its before() hook ran');
      return server;
    },
    get dir() {
      if (!dir) throw new Error('the PostgreSQL fixture is used before its before() hook ran');
      return dir;
    },
  };
}
