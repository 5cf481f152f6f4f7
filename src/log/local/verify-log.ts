/**
 * Checks an open embedded log end to end (what `sluice verify` reports for the log): every batch
 * against its checksum, every partition's batches tiling it from its log start offset to its high
 * watermark with no hole or overlap, lost-offset markers, consumer group offsets within their
 * partitions, and what open found while recovering (recoveryFindings).
 */
import { BATCH_FLAG_LOST, BATCH_MAGIC_V1, batchProblem, readBatchHeader } from './batch-codec.js';
import { dataKeyOffset, dataPartitionEnd, dataPartitionStart } from './key-layout.js';
import type { LocalLog } from './local-log.js';

export interface VerifyFinding {
  /** error: data is damaged or missing; warning: worth knowing, nothing is wrong with the data */
  readonly severity: 'error' | 'warning';
  /** `topic-partition`, a group, or the directory */
  readonly where: string;
  readonly message: string;
}

export interface LogVerifyReport {
  topics: number;
  partitions: number;
  batches: number;
  records: number;
  findings: VerifyFinding[];
}

/** Scans every batch of every partition of `log` (a LocalLog just opened on the directory). */
export async function verifyLog(log: LocalLog): Promise<LogVerifyReport> {
  const report: LogVerifyReport = { topics: 0, partitions: 0, batches: 0, records: 0, findings: [] };
  for (const f of log.recoveryFindings) report.findings.push({ severity: 'error', where: log.directory, message: `found on open: ${f}` });
  const db = log.storage();
  for (const topic of await log.listTopics()) {
    report.topics++;
    const id = log.topicId(topic);
    const desc = await log.describeTopic(topic);
    for (const p of desc.partitions) {
      report.partitions++;
      const where = `${topic}-${p.partition}`;
      const start = Number(p.logStartOffset);
      const hwm = Number(p.highWatermark);
      const error = (message: string) => report.findings.push({ severity: 'error', where, message });
      // the next offset a batch must start at; undefined after a damaged batch (extent unknown)
      let expected: number | undefined;
      let first = true;
      let legacy = 0;
      for await (const [k, v] of db.iterator({ gte: dataPartitionStart(id, p.partition), lt: dataPartitionEnd(id, p.partition) })) {
        report.batches++;
        const base = dataKeyOffset(k);
        const problem = batchProblem(k, v);
        if (problem !== undefined) {
          error(`batch at offset ${base}: ${problem}`);
          expected = undefined;
          first = false;
          continue;
        }
        const header = readBatchHeader(v);
        if (header.magic === BATCH_MAGIC_V1) legacy++;
        const last = base + header.lastOffsetDelta;
        if (first) {
          if (base > start) error(`offsets ${start}..${base - 1} are missing`);
        } else if (expected !== undefined && base > expected) {
          error(`offsets ${expected}..${base - 1} are missing`);
        } else if (expected !== undefined && base < expected) {
          error(`the batch at offset ${base} overlaps the one before it (which ends at ${expected - 1})`);
        }
        first = false;
        if (base >= hwm) report.findings.push({ severity: 'warning', where, message: `a batch at offset ${base} lies past the high watermark ${hwm}` });
        if ((header.flags & BATCH_FLAG_LOST) !== 0) error(`offsets ${base}..${last} were lost (marked when the log was opened)`);
        report.records += header.count;
        expected = last + 1;
      }
      if (first && hwm > start) error(`offsets ${start}..${hwm - 1} are missing (no batch)`);
      else if (expected !== undefined && expected < hwm) error(`offsets ${expected}..${hwm - 1} are missing (the last batch ends before the high watermark)`);
      if (legacy > 0) report.findings.push({ severity: 'warning', where, message: `${legacy} batches of the first format have no checksum` });
    }
  }
  for (const group of await log.listGroups()) {
    for (const o of await log.committedOffsets(group)) {
      let end: bigint;
      try {
        end = await log.latestOffset(o.topic, o.partition);
      } catch {
        continue; // a deleted topic's offsets are harmless
      }
      if (o.offset > end) {
        report.findings.push({
          severity: 'error',
          where: `group ${group}`,
          message: `committed offset ${o.offset} of ${o.topic}-${o.partition} is past its end ${end}: records it consumed are gone`,
        });
      }
    }
  }
  return report;
}
