import { Engine } from '../../src/index.js';
import { tempDir } from './temp-dir.js';

/** An engine on a fresh data directory (reading from the earliest offset), closed and removed after. */
export async function withEngine(fn: (engine: Engine, dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
  try {
    await fn(engine, dir.path);
  } finally {
    await engine.close();
    await dir.cleanup();
  }
}
