/**
 * `sluice verify`: checks a whole data directory without running any query. The log (every
 * batch's checksum, offset continuity, lost offsets, group offsets: verify-log.ts), every state
 * store against its changelog (they commit in one batch, so they must agree key for key), and
 * that every command of the command log parses.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LogError } from '../common/errors.js';
import { LocalLog } from '../log/local/local-log.js';
import { checkTables, describeDamage } from '../log/local/table-check.js';
import { verifyLog, type VerifyFinding } from '../log/local/verify-log.js';
import { changelogTopicName } from '../state/state-backend.js';
import { COMMAND_TOPIC } from './command-log.js';
import { decodePlanJson } from './plan-codec.js';

export type { VerifyFinding } from '../log/local/verify-log.js';

export interface DataDirReport {
  readonly directory: string;
  readonly topics: number;
  readonly partitions: number;
  readonly batches: number;
  readonly records: number;
  readonly stores: number;
  readonly storeEntries: number;
  readonly commands: number;
  readonly findings: readonly VerifyFinding[];
  /** no finding of severity error */
  readonly ok: boolean;
}

const STATE_PREFIX = 'state\u0000';

export async function verifyDataDirectory(directory: string): Promise<DataDirReport> {
  if (!existsSync(join(directory, 'CURRENT'))) {
    throw new LogError(`'${directory}' is not a Sluice data directory (no LevelDB CURRENT file)`, 'IO');
  }
  // LevelDB must not read a damaged table (it may abort): check them first, open only if sound
  const damage = await checkTables(directory);
  if (damage.length > 0) {
    return {
      directory,
      topics: 0,
      partitions: 0,
      batches: 0,
      records: 0,
      stores: 0,
      storeEntries: 0,
      commands: 0,
      findings: damage.map((d) => ({ severity: 'error' as const, where: directory, message: `damaged table file ${describeDamage(d)}` })),
      ok: false,
    };
  }
  // opening recovers (replays LevelDB's write-ahead log, cross-checks the checkpoint); the log is
  // never written otherwise, and no query runs
  const log = await LocalLog.open(directory, { maintenanceIntervalMs: 0, checkpointIntervalMs: 0, checkTablesOnOpen: false });
  try {
    const logReport = await verifyLog(log);
    const findings = [...logReport.findings];
    const commands = await verifyCommands(log, findings);
    const { stores, entries } = await verifyStores(log, findings);
    return {
      directory,
      topics: logReport.topics,
      partitions: logReport.partitions,
      batches: logReport.batches,
      records: logReport.records,
      stores,
      storeEntries: entries,
      commands,
      findings,
      ok: !findings.some((f) => f.severity === 'error'),
    };
  } finally {
    await log.close();
  }
}

async function verifyCommands(log: LocalLog, findings: VerifyFinding[]): Promise<number> {
  if (!(await log.listTopics()).includes(COMMAND_TOPIC)) return 0;
  let count = 0;
  await readPartition(log, COMMAND_TOPIC, 0, findings, (offset, _key, value) => {
    count++;
    if (value === null) return;
    try {
      const command = decodePlanJson<{ sql?: unknown }>(value.toString('utf8'));
      if (typeof command?.sql !== 'string') throw new Error('no statement text');
    } catch (err) {
      findings.push({ severity: 'error', where: `${COMMAND_TOPIC}-0`, message: `command at offset ${offset} does not parse: ${(err as Error).message}` });
    }
  });
  return count;
}

/** Reads a partition through fetch (so checksums and holes are checked as a query would see them). */
async function readPartition(
  log: LocalLog,
  topic: string,
  partition: number,
  findings: VerifyFinding[],
  visit: (offset: bigint, key: Buffer | null, value: Buffer | null) => void,
): Promise<boolean> {
  let offset = await log.earliestOffset(topic, partition);
  const end = await log.latestOffset(topic, partition);
  while (offset < end) {
    try {
      const batch = await log.fetch(topic, partition, offset, { maxRecords: 10_000 });
      for (const r of batch.records) visit(r.offset, r.key, r.value);
      if (batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    } catch (err) {
      // the log scan reports the damage itself; say what it means here
      findings.push({ severity: 'error', where: `${topic}-${partition}`, message: `cannot be read past offset ${offset}: ${(err as Error).message}` });
      return false;
    }
  }
  return true;
}

/**
 * State entries are `state\0<queryId>\0<store>\0<taskId>\0<key>` in the log's keyspace; the
 * store's changelog is a topic named from query and store, partition = the task's partition.
 */
async function verifyStores(log: LocalLog, findings: VerifyFinding[]): Promise<{ stores: number; entries: number }> {
  const stores = new Map<string, { queryId: string; store: string; partition: number; entries: Map<string, Buffer> }>();
  let entries = 0;
  for await (const [k, v] of log.extras.range({ gte: Buffer.from(STATE_PREFIX), lt: Buffer.from('state\u0001') })) {
    const parts: number[] = [];
    for (let i = 0; i < k.length && parts.length < 4; i++) if (k[i] === 0) parts.push(i);
    if (parts.length < 4) continue;
    const queryId = k.toString('utf8', parts[0] + 1, parts[1]);
    const store = k.toString('utf8', parts[1] + 1, parts[2]);
    const taskId = k.toString('utf8', parts[2] + 1, parts[3]);
    const prefix = k.toString('latin1', 0, parts[3] + 1);
    let s = stores.get(prefix);
    if (s === undefined) {
      const partition = Number(taskId.slice(taskId.lastIndexOf('_') + 1));
      stores.set(prefix, (s = { queryId, store, partition, entries: new Map() }));
    }
    s.entries.set(k.toString('latin1', parts[3] + 1), v);
    entries++;
  }
  const topics = new Set(await log.listTopics());
  for (const s of stores.values()) {
    const topic = changelogTopicName(s.queryId, s.store);
    const where = `store ${s.store} of ${s.queryId} (partition ${s.partition})`;
    if (!topics.has(topic)) {
      findings.push({ severity: 'warning', where, message: `no changelog topic ${topic} to compare with` });
      continue;
    }
    const latest = new Map<string, Buffer | null>();
    const readable = await readPartition(log, topic, s.partition, findings, (_offset, key, value) => {
      if (key !== null) latest.set(key.toString('latin1'), value);
    });
    if (!readable) continue;
    let differing = 0;
    let example = '';
    const note = (key: string, what: string) => {
      if (differing++ === 0) example = `key ${JSON.stringify(Buffer.from(key, 'latin1').toString('utf8'))} ${what}`;
    };
    for (const [key, value] of s.entries) {
      const logged = latest.get(key);
      if (logged === undefined || logged === null) note(key, 'is in the store but not in its changelog');
      else if (!logged.equals(value)) note(key, 'differs from its changelog');
    }
    for (const [key, value] of latest) if (value !== null && !s.entries.has(key)) note(key, 'is in the changelog but not in the store');
    if (differing > 0) findings.push({ severity: 'error', where, message: `${differing} keys disagree with changelog ${topic} (first: ${example})` });
  }
  return { stores: stores.size, entries };
}
