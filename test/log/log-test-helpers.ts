/** Shared helpers for log tests: a temp directory per test, removed afterwards. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLog, type LocalLogOptions } from '../../src/log/local/local-log.js';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-log-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opens a LocalLog in a fresh temp dir (no maintenance timer), closes and removes it after. */
export async function withLog<T>(fn: (log: LocalLog, dir: string) => Promise<T>, options: LocalLogOptions = {}): Promise<T> {
  return withTempDir(async (dir) => {
    const log = await LocalLog.open(dir, { maintenanceIntervalMs: 0, ...options });
    try {
      return await fn(log, dir);
    } finally {
      await log.close();
    }
  });
}

export function buf(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

export function str(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}
