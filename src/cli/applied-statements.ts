/**
 * What `sluice run` has applied of each file, kept in the data directory (like the applied-versions
 * record of ksqlDB's migrations tool), so running a file again applies only what it has not
 * applied yet: its INSERT VALUES rows are not written twice.
 *
 * The rule: statements that change the data directory (CREATE, DROP, ALTER, INSERT, TERMINATE,
 * PAUSE, RESUME, RUN SCRIPT) are numbered in file order and recorded with a digest of their
 * normalized text (whitespace and comments do not count) once they succeed. On a re-run, the
 * first N of them that match the record are skipped; the rest run and are recorded. A recorded
 * statement that has since been edited stops the run with an error before anything runs: files
 * are extended by appending. Session statements (SET, DEFINE, SHOW, DESCRIBE, PRINT, SELECT,
 * OUTPUT, SPOOL, ...) run every time.
 */
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { formatStatement, LogError } from '../index.js';
import type { ast, Log } from '../index.js';

export const APPLIED_TOPIC = '_sluice_applied_statements';

const TRACKED: ReadonlySet<ast.StatementKind> = new Set<ast.StatementKind>([
  'CreateSource', 'CreateAsSelect', 'CreateSink', 'InsertIntoSelect', 'InsertValues', 'CreateConnector', 'DropSource',
  'DropType', 'DropConnector', 'AlterSource', 'CreateType', 'QueryControl', 'AlterSystem', 'RunScript',
]);

interface AppliedRecord {
  readonly index: number;
  readonly digest: string;
  readonly line: number;
  readonly appliedAt: string;
}

export class AppliedStatements {
  private constructor(
    private readonly log: Log,
    private readonly script: string,
    private readonly applied: AppliedRecord[],
  ) {}

  static async open(log: Log, file: string): Promise<AppliedStatements> {
    const script = await realpath(file);
    try {
      await log.describeTopic(APPLIED_TOPIC);
    } catch (e) {
      if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
      await log.createTopic(APPLIED_TOPIC, { partitions: 1, config: { 'retention.ms': -1, 'retention.bytes': -1 } });
    }
    const applied: AppliedRecord[] = [];
    let offset = await log.earliestOffset(APPLIED_TOPIC, 0);
    for (;;) {
      const batch = await log.fetch(APPLIED_TOPIC, 0, offset, { maxRecords: 10_000 });
      for (const r of batch.records) if (r.key?.toString('utf8') === script && r.value) applied.push(JSON.parse(r.value.toString('utf8')) as AppliedRecord);
      if (batch.records.length === 0 || batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    }
    applied.sort((a, b) => a.index - b.index);
    return new AppliedStatements(log, script, applied);
  }

  static tracks(statement: ast.Statement): boolean {
    return TRACKED.has(statement.kind);
  }

  /**
   * Numbers the tracked statements of a parsed file and checks them against the record; throws a
   * message naming the first recorded statement that was edited.
   */
  plan(statements: readonly ast.ParsedStatement[]): Map<ast.ParsedStatement, { index: number; digest: string; applied: boolean }> {
    const plan = new Map<ast.ParsedStatement, { index: number; digest: string; applied: boolean }>();
    let index = 0;
    for (const s of statements) {
      if (!AppliedStatements.tracks(s.statement)) continue;
      const digest = digestOf(s.statement);
      const record = this.applied[index];
      if (record && record.digest !== digest)
        throw new EditedStatementError(
          `${s.pos.line}:${s.pos.column}: this statement was edited after it was applied (as the statement on line ${record.line}, ${record.appliedAt}); ` +
            `sluice run applies only what a file has not applied yet, so add changes as new statements at the end, or use a new data directory`,
        );
      plan.set(s, { index, digest, applied: record !== undefined });
      index++;
    }
    return plan;
  }

  async record(index: number, digest: string, line: number): Promise<void> {
    const record: AppliedRecord = { index, digest, line, appliedAt: new Date().toISOString() };
    await this.log.produce([{ topic: APPLIED_TOPIC, partition: 0, key: Buffer.from(this.script), value: Buffer.from(JSON.stringify(record)) }]);
    this.applied[index] = record;
  }
}

export class EditedStatementError extends Error {}

function digestOf(statement: ast.Statement): string {
  return createHash('sha256').update(formatStatement(statement)).digest('hex').slice(0, 32);
}
