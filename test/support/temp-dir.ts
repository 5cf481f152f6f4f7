import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export async function tempDir(prefix = 'sluice-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  // retries: a child process that was just stopped may still be closing files in it (ENOTEMPTY)
  return { path, cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}
