/**
 * The high-watermark checkpoint file beside LevelDB's files (Kafka keeps its
 * replication-offset-checkpoint the same way): evidence, kept outside LevelDB, of how far every
 * partition was durable, so that batches LevelDB loses on recovery are noticed.
 *
 * Text: a first line `sluice-hwm 1 <crc32c of the rest, hex>`, then `topicId/partition hwm` lines
 * and `G [group, topic, partition] offset` lines (committed consumer group offsets).
 * Written to a temporary file and renamed, so a crash leaves the old or the new file whole.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';

export const CHECKPOINT_FILE = 'sluice-hwm.checkpoint';
const HEADER = 'sluice-hwm 1';

/** 'topicId/partition' -> high watermark */
export type HighWatermarks = Map<string, number>;
/** JSON [group, topic, partition] -> committed offset */
export type GroupOffsets = Map<string, number>;

export async function writeCheckpoint(dir: string, watermarks: HighWatermarks, groups: GroupOffsets = new Map()): Promise<void> {
  let body = '';
  for (const [tp, hwm] of watermarks) body += `${tp} ${hwm}\n`;
  for (const [g, offset] of groups) body += `G ${g} ${offset}\n`;
  const text = `${HEADER} ${crc32c(Buffer.from(body)).toString(16)}\n${body}`;
  const tmp = join(dir, CHECKPOINT_FILE + '.tmp');
  await writeFile(tmp, text);
  await rename(tmp, join(dir, CHECKPOINT_FILE));
}

/** The checkpoint (empty when there is none yet), and what is wrong with it if it is damaged. */
export async function readCheckpoint(dir: string): Promise<{ watermarks: HighWatermarks; groups: GroupOffsets; problem?: string }> {
  const watermarks: HighWatermarks = new Map();
  const groups: GroupOffsets = new Map();
  let text: string;
  try {
    text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { watermarks, groups };
    return { watermarks, groups, problem: `cannot read ${CHECKPOINT_FILE}: ${(err as Error).message}` };
  }
  const nl = text.indexOf('\n');
  const head = nl < 0 ? text : text.slice(0, nl);
  const body = nl < 0 ? '' : text.slice(nl + 1);
  const m = /^sluice-hwm 1 ([0-9a-f]{1,8})$/.exec(head);
  if (m === null || parseInt(m[1], 16) !== crc32c(Buffer.from(body))) {
    return { watermarks, groups, problem: `${CHECKPOINT_FILE} is damaged (ignored: batches lost at the end of a partition cannot be detected this time)` };
  }
  for (const line of body.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('G ')) {
      const cut = line.lastIndexOf(' ');
      groups.set(line.slice(2, cut), Number(line.slice(cut + 1)));
      continue;
    }
    const [tp, hwm] = line.split(' ');
    watermarks.set(tp, Number(hwm));
  }
  return { watermarks, groups };
}
