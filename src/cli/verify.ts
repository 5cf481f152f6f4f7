/**
 * `sluice verify --data-dir DIR [--json]`: checks a data directory (log batches' checksums and
 * offsets, state stores against their changelogs, the command log) and says what it found.
 * Exit code 0 when nothing is wrong, 1 when a problem was found (or the directory cannot be read).
 */
import { isSluiceError, verifyDataDirectory, type DataDirReport } from '../index.js';

export interface VerifyIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Verifies `dataDir` and prints the report; returns the exit code. */
export async function verifyCommand(dataDir: string, io: VerifyIo, options: { json?: boolean } = {}): Promise<number> {
  let report: DataDirReport;
  try {
    report = await verifyDataDirectory(dataDir);
  } catch (err) {
    if (!isSluiceError(err)) throw err;
    io.err(`sluice verify: ${err.message}`);
    return 1;
  }
  if (options.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
  return report.ok ? 0 : 1;
}

export function formatReport(r: DataDirReport): string[] {
  const lines = [
    `verified ${r.directory}`,
    `  log: ${r.topics} topics, ${r.partitions} partitions, ${r.batches} batches, ${r.records} records (checksums, offset continuity, group offsets)`,
    `  state: ${r.stores} stores, ${r.storeEntries} entries compared with their changelogs`,
    `  command log: ${r.commands} commands`,
  ];
  for (const f of r.findings) lines.push(`  ${f.severity === 'error' ? 'ERROR' : 'warning'} ${f.where}: ${f.message}`);
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  lines.push(errors === 0 ? 'OK: no problems found' : `FAILED: ${errors} problem${errors === 1 ? '' : 's'} found`);
  return lines;
}
