/**
 * Checks LevelDB's table files (*.ldb) against their own block checksums, in JS, before LevelDB
 * opens the directory. LevelDB only verifies block checksums when asked (ReadOptions
 * verify_checksums / paranoid_checks), and classic-level asks for neither: a damaged table block
 * is parsed as it is, which serves damaged keys or aborts the process on one of LevelDB's
 * assertions (a flipped byte in an internal key's length does). This reads every block the way
 * LevelDB's Table::Open and ReadBlock would with checksums on.
 *
 * Table format (leveldb/doc/table_format.md): blocks, each followed by a 5-byte trailer (type,
 * masked CRC32C of contents + type); a 48-byte footer (metaindex and index block handles as
 * varints, padding, magic 0xdb4775248b80fb57 little-endian). The index block maps each data
 * block's last key to its handle; the metaindex block maps names (the filter) to handles.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { crc32c } from '@node-rs/crc32';

const FOOTER_SIZE = 48;
const TRAILER_SIZE = 5;
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;
const MASK_DELTA = 0xa282ead8;

export interface TableDamage {
  readonly file: string;
  /** byte offset of the damaged block (or of the footer) in the file */
  readonly at: number;
  readonly problem: string;
  /** the index's bound on the damaged block's keys (to tell what is affected) */
  readonly lastKey?: Buffer;
  /** log batches the damaged block holds, as far as its entries still parse: 'topic id/partition' -> [first, last] base offsets */
  readonly batches?: ReadonlyMap<string, [number, number]>;
}

/** Best effort over a damaged data block: the batch keys ('D' topicId partition baseOffset) it holds. */
function batchesIn(contents: Buffer): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const seen = (key: Buffer) => {
    // internal key = user key + 8 bytes (sequence, type)
    if (key.length !== 25 || key[0] !== 0x44) return;
    const tp = `${key.readUInt32BE(1)}/${key.readUInt32BE(5)}`;
    const offset = key.readUInt32BE(9) * 4294967296 + key.readUInt32BE(13);
    const r = out.get(tp);
    if (r === undefined) out.set(tp, [offset, offset]);
    else {
      r[0] = Math.min(r[0], offset);
      r[1] = Math.max(r[1], offset);
    }
  };
  blockEntries(contents, seen);
  return out;
}

function unmask(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

interface Handle {
  offset: number;
  size: number;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error('varint past the end');
    const b = buf[pos++];
    result += (b & 127) * mul;
    if ((b & 128) === 0) return [result, pos];
    mul *= 128;
  }
  throw new Error('varint too long');
}

function readHandle(buf: Buffer, pos: number): [Handle, number] {
  const [offset, p1] = readVarint(buf, pos);
  const [size, p2] = readVarint(buf, p1);
  return [{ offset, size }, p2];
}

/** The entries (full key, value) of an uncompressed block. */
function blockEntries(block: Buffer, onKey?: (key: Buffer) => void): [Buffer, Buffer][] {
  if (block.length < 4) throw new Error('block too short');
  const restarts = block.readUInt32LE(block.length - 4);
  const limit = block.length - 4 - restarts * 4;
  if (limit < 0) throw new Error('bad restart count');
  const out: [Buffer, Buffer][] = [];
  let pos = 0;
  let last = Buffer.alloc(0);
  while (pos < limit) {
    let shared: number, nonShared: number, valueLen: number;
    [shared, pos] = readVarint(block, pos);
    [nonShared, pos] = readVarint(block, pos);
    [valueLen, pos] = readVarint(block, pos);
    if (shared > last.length || pos + nonShared + valueLen > limit) throw new Error('bad block entry');
    const key = Buffer.concat([last.subarray(0, shared), block.subarray(pos, pos + nonShared)]);
    onKey?.(key);
    pos += nonShared;
    out.push([key, block.subarray(pos, pos + valueLen)]);
    pos += valueLen;
    last = key;
  }
  return out;
}

/** Checks one table file; returns its damage (empty when sound). */
export async function checkTableFile(path: string): Promise<TableDamage[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    };
    const damage = (at: number, problem: string, lastKey?: Buffer, batches?: Map<string, [number, number]>): TableDamage => ({
      file: path,
      at,
      problem,
      ...(lastKey ? { lastKey } : {}),
      ...(batches && batches.size > 0 ? { batches } : {}),
    });
    if (size < FOOTER_SIZE) return [damage(0, `a table file of ${size} bytes is shorter than its footer`)];
    const footer = await read(size - FOOTER_SIZE, FOOTER_SIZE);
    if (footer.readUInt32LE(40) !== MAGIC_LO || footer.readUInt32LE(44) !== MAGIC_HI) {
      return [damage(size - FOOTER_SIZE, 'not a table file (bad magic number)')];
    }
    let metaindex: Handle, index: Handle;
    try {
      let p: number;
      [metaindex, p] = readHandle(footer, 0);
      [index] = readHandle(footer, p);
    } catch {
      return [damage(size - FOOTER_SIZE, 'unreadable footer')];
    }
    /** reads and checks a block; undefined (and a damage entry) when it fails */
    const found: TableDamage[] = [];
    const block = async (h: Handle, what: string, lastKey?: Buffer): Promise<{ contents: Buffer; type: number } | undefined> => {
      if (h.offset + h.size + TRAILER_SIZE > size) {
        found.push(damage(h.offset, `${what} lies past the end of the file`, lastKey));
        return undefined;
      }
      const raw = await read(h.offset, h.size + TRAILER_SIZE);
      const type = raw[h.size];
      const stored = unmask(raw.readUInt32LE(h.size + 1));
      if (crc32c(raw.subarray(0, h.size + 1)) !== stored) {
        const batches = new Map<string, [number, number]>();
        if (lastKey !== undefined && type === 0) {
          try {
            for (const [tp, r] of batchesIn(raw.subarray(0, h.size))) batches.set(tp, r);
          } catch {
            // as far as it parsed
          }
        }
        found.push(damage(h.offset, `${what} fails its checksum`, lastKey, batches));
        return undefined;
      }
      return { contents: raw.subarray(0, h.size), type };
    };
    const idx = await block(index, 'the index block');
    const meta = await block(metaindex, 'the metaindex block');
    for (const [b, what] of [
      [idx, 'index'],
      [meta, 'metaindex'],
    ] as const) {
      if (b === undefined || b.type !== 0) continue; // compressed: only its checksum is checked
      let entries: [Buffer, Buffer][];
      try {
        entries = blockEntries(b.contents);
      } catch (err) {
        found.push(damage(what === 'index' ? index.offset : metaindex.offset, `the ${what} block does not parse: ${(err as Error).message}`));
        continue;
      }
      for (const [key, value] of entries) {
        let h: Handle;
        try {
          [h] = readHandle(value, 0);
        } catch {
          found.push(damage(what === 'index' ? index.offset : metaindex.offset, `a handle in the ${what} block does not parse`));
          continue;
        }
        // internal keys end in 8 bytes of sequence number and type
        const userKey = what === 'index' && key.length >= 8 ? key.subarray(0, key.length - 8) : undefined;
        await block(h, what === 'index' ? `the data block at byte ${h.offset}` : `the meta block '${key.toString('latin1')}'`, userKey);
      }
    }
    return found;
  } finally {
    await fh.close();
  }
}

/** One line for a damage: the file, the block and, for log batches, what they hold. */
export function describeDamage(d: TableDamage): string {
  let holds = '';
  const k = d.lastKey;
  if (d.batches !== undefined) {
    const parts = [...d.batches].map(([tp, [a, b]]) => `topic id ${tp.replace('/', ' partition ')} ${a === b ? `offset ${a}` : `offsets ${a}..${b}`}`);
    holds = ` (it holds log batches of ${parts.join(', ')}${d.batches.size > 0 ? ', as far as it still reads' : ''})`;
  } else if (k !== undefined && k.length === 17 && k[0] === 0x44) {
    // a batch key ('D' topicId partition baseOffset): the block holds batches up to this one
    const offset = k.readUInt32BE(9) * 4294967296 + k.readUInt32BE(13);
    holds = ` (it holds log batches up to topic id ${k.readUInt32BE(1)} partition ${k.readUInt32BE(5)} offset ${offset})`;
  } else if (k !== undefined && k.length > 0) {
    holds = ` (it holds keys up to ${JSON.stringify(k.toString('latin1').replace(/[^\x20-\x7e]/g, '.'))})`;
  }
  return `${basename(d.file)}: ${d.problem}${d.problem.includes('byte') ? '' : ` (byte ${d.at})`}${holds}`;
}

/**
 * The table files the current version uses (file number -> size), from LevelDB's MANIFEST: a
 * log of VersionEdits (db/version_edit.cc). Other .ldb files are leftovers of a compaction cut
 * short by a close or a crash; LevelDB deletes them on open and never reads them. Undefined when
 * the MANIFEST cannot be read (LevelDB's open then fails and says why).
 */
export async function liveTables(dir: string): Promise<Map<number, number> | undefined> {
  try {
    const current = (await readFile(join(dir, 'CURRENT'), 'utf8')).trim();
    if (!/^MANIFEST-\d+$/.test(current)) return undefined;
    const live = new Map<number, number>();
    for (const record of logRecords(await readFile(join(dir, current)))) {
      let pos = 0;
      while (pos < record.length) {
        let tag: number;
        [tag, pos] = readVarint(record, pos);
        switch (tag) {
          case 1: {
            // comparator name
            let n: number;
            [n, pos] = readVarint(record, pos);
            pos += n;
            break;
          }
          case 2: // log number
          case 3: // next file number
          case 4: // last sequence
          case 9: // previous log number
            [, pos] = readVarint(record, pos);
            break;
          case 5: {
            // compact pointer: level, internal key
            let n: number;
            [, pos] = readVarint(record, pos);
            [n, pos] = readVarint(record, pos);
            pos += n;
            break;
          }
          case 6: {
            // deleted file: level, number
            let number: number;
            [, pos] = readVarint(record, pos);
            [number, pos] = readVarint(record, pos);
            live.delete(number);
            break;
          }
          case 7: {
            // new file: level, number, size, smallest, largest
            let number: number, size: number, n: number;
            [, pos] = readVarint(record, pos);
            [number, pos] = readVarint(record, pos);
            [size, pos] = readVarint(record, pos);
            [n, pos] = readVarint(record, pos);
            pos += n;
            [n, pos] = readVarint(record, pos);
            pos += n;
            live.set(number, size);
            break;
          }
          default:
            return undefined;
        }
      }
    }
    return live;
  } catch {
    return undefined;
  }
}

/** The records of a LevelDB log-format file (32 KiB blocks of checksummed fragments). */
function logRecords(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let pos = 0;
  while (pos + 7 <= file.length) {
    const left = 32768 - (pos % 32768);
    if (left < 7) {
      pos += left; // block trailer padding
      continue;
    }
    const length = file.readUInt16LE(pos + 4);
    const type = file[pos + 6];
    if (type === 0 && length === 0) {
      pos += left;
      continue;
    }
    const data = file.subarray(pos + 7, pos + 7 + length);
    if (data.length < length || unmask(file.readUInt32LE(pos)) !== crc32c(file.subarray(pos + 6, pos + 7 + length))) break;
    pos += 7 + length;
    if (type === 1) out.push(data);
    else if (type === 2) parts = [data];
    else if (type === 3) parts.push(data);
    else if (type === 4) {
      parts.push(data);
      out.push(Buffer.concat(parts));
      parts = [];
    }
  }
  return out;
}

/** Checks every table file the directory's current LevelDB version uses. */
export async function checkTables(dir: string): Promise<TableDamage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no directory yet: LevelDB creates it
  }
  const live = await liveTables(dir);
  if (live === undefined) return [];
  const out: TableDamage[] = [];
  for (const name of names.sort()) {
    const m = /^(\d+)\.(ldb|sst)$/.exec(name);
    if (m === null) continue;
    const expected = live.get(Number(m[1]));
    if (expected === undefined) continue; // a leftover LevelDB deletes unread
    const path = join(dir, name);
    const size = (await stat(path)).size;
    if (size !== expected) {
      out.push({ file: path, at: Math.min(size, expected), problem: `the table file is ${size} bytes, its manifest says ${expected}` });
      continue;
    }
    out.push(...(await checkTableFile(path)));
  }
  // a live table that is gone: LevelDB refuses to open ("missing files") and says so itself
  return out;
}
