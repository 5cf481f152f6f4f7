/**
 * The high-watermark checkpoint file beside LevelDB's files (Kafka keeps its
 * replication-offset-checkpoint the same way): evidence, kept outside LevelDB, of how far every
 * partition was durable, so that batches LevelDB loses on recovery are noticed.
 *
 * Text: a first line `sluice-hwm 1 <crc32c of the rest, hex>`, then `topicId/partition hwm` lines.
 * Written to a temporary file and renamed, so a crash leaves the old or the new file whole.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';

export const CHECKPOINT_FILE = 'sluice-hwm.checkpoint';
const HEADER = 'sluice-hwm 1';

/** 'topicId/partition' -> high watermark */
export type HighWatermarks = Map<string, number>;

export async function writeCheckpoint(dir: string, watermarks: HighWatermarks): Promise<void> {
  let body = '';
  for (const [tp, hwm] of watermarks) body += `${tp} ${hwm}\n`;
  const text = `${HEADER} ${crc32c(Buffer.from(body)).toString(16)}\n${body}`;
  const tmp = join(dir, CHECKPOINT_FILE + '.tmp');
  await writeFile(tmp, text);
  await rename(tmp, join(dir, CHECKPOINT_FILE));
}

/** The checkpoint (empty when there is none yet), and what is wrong with it if it is damaged. */
export async function readCheckpoint(dir: string): Promise<{ watermarks: HighWatermarks; problem?: string }> {
  const watermarks: HighWatermarks = new Map();
  let text: string;
  try {
    text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { watermarks };
    return { watermarks, problem: `cannot read ${CHECKPOINT_FILE}: ${(err as Error).message}` };
  }
  const nl = text.indexOf('\n');
  const head = nl < 0 ? text : text.slice(0, nl);
  const body = nl < 0 ? '' : text.slice(nl + 1);
  const m = /^sluice-hwm 1 ([0-9a-f]{1,8})$/.exec(head);
  if (m === null || parseInt(m[1], 16) !== crc32c(Buffer.from(body))) {
    return { watermarks, problem: `${CHECKPOINT_FILE} is damaged (ignored: batches lost at the end of a partition cannot be detected this time)` };
  }
  for (const line of body.split('\n')) {
    if (line === '') continue;
    const [tp, hwm] = line.split(' ');
    watermarks.set(tp, Number(hwm));
  }
  return { watermarks };
}
