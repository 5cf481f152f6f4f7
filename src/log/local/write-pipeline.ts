/**
 * Serialises every write of the embedded log through LevelDB in submission order, with group
 * commit: writes submitted while a LevelDB batch is in flight are merged into the next batch.
 *
 * Order matters because offsets are assigned in memory at submission: a partition's high
 * watermark may only move past a batch once every earlier batch is durable, and LevelDB does not
 * order concurrent db.batch() calls. Each submission's ops stay atomic (they are never split across
 * LevelDB batches); if a merged batch fails, its submissions are retried one by one so that one bad
 * submission cannot fail the others.
 *
 * A write that fails in LevelDB's storage (disk full, I/O error) is different: LevelDB's log
 * writer must not be used again after it (see LocalLog.reopenDb), and later submissions already
 * hold offsets after the failed one's. So the failed batch and everything queued behind it fail
 * together (offsets given back, newest first, leaving no gap), and the next write reopens
 * LevelDB first; while that fails too (the disk is still full) writes fail at once.
 */
import type { Level } from 'level';
import { LogError } from '../../common/errors.js';

export type WriteOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

interface Submission {
  ops: WriteOp[];
  /** runs synchronously, in submission order, once the ops are durable */
  onApplied: (() => void) | undefined;
  /** runs synchronously when the ops were not written */
  onFailed: (() => void) | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WritePipeline {
  private queue: Submission[] = [];
  /** key and value bytes handed to LevelDB so far (how far its memtable has moved on) */
  bytesWritten = 0;
  private running: Promise<void> | undefined;
  /** a storage write failed: reopen LevelDB before the next write */
  private broken = false;

  constructor(
    private readonly db: Level<Buffer, Buffer>,
    private readonly sync: boolean,
    private readonly directory: string,
    private readonly reopen: () => Promise<void>,
  ) {}

  submit(ops: WriteOp[], onApplied?: () => void, onFailed?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, onApplied, onFailed, resolve, reject });
      // deferred a microtask so that submissions made in the same tick share one LevelDB batch
      this.running ??= Promise.resolve().then(() => this.run());
    });
  }

  /** resolves once everything submitted so far has been written (or has failed) */
  async drain(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (this.broken) {
          try {
            await this.reopen();
            this.broken = false;
          } catch (err) {
            this.failAll([], err);
            continue;
          }
        }
        const group = this.queue;
        this.queue = [];
        if (group.length === 1) {
          await this.write(group[0].ops).then(
            () => settle(group[0], undefined),
            (err) => (isStorageError(err) ? this.failAll(group, err) : settle(group[0], this.describe(err))),
          );
          continue;
        }
        const ops: WriteOp[] = [];
        for (const s of group) for (const op of s.ops) ops.push(op);
        let failure: unknown;
        let failed = false;
        await this.write(ops).catch((err: unknown) => {
          failed = true;
          failure = err;
        });
        if (!failed) {
          for (const s of group) settle(s, undefined);
          continue;
        }
        if (isStorageError(failure)) {
          this.failAll(group, failure);
          continue;
        }
        // a failed LevelDB batch wrote nothing: retry each submission alone, in order
        for (const s of group) {
          await this.write(s.ops).then(
            () => settle(s, undefined),
            (err) => settle(s, this.describe(err)),
          );
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Fails `group` and everything queued behind it, newest first, and marks LevelDB for a reopen. */
  private failAll(group: Submission[], err: unknown): void {
    this.broken = true;
    const all = [...group, ...this.queue];
    this.queue = [];
    const error = this.describe(err);
    for (let i = all.length - 1; i >= 0; i--) settle(all[i], error);
  }

  private describe(err: unknown): LogError {
    if (err instanceof LogError) return err;
    const message = errorText(err);
    if (/no space left|ENOSPC|disk full|quota exceeded/i.test(message)) {
      return new LogError(`the log directory '${this.directory}' is out of disk space; nothing of this write was stored (${message})`, 'DISK_FULL');
    }
    return new LogError(`log write in '${this.directory}' failed: ${message}`, 'IO');
  }

  /**
   * One LevelDB batch through the chained-batch API: db.batch(array) hands the native layer
   * objects it reads property by property, several times the main-thread cost per op (about 8 us
   * against 1 us for 5,000 small puts), and a commit with many state writes blocked the event loop
   * that long.
   */
  private write(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    let batch: ReturnType<Level<Buffer, Buffer>['batch']> | undefined;
    try {
      batch = this.db.batch();
      let bytes = 0;
      for (const op of ops) {
        if (op.type === 'put') {
          batch.put(op.key, op.value);
          bytes += op.key.length + op.value.length;
        } else {
          batch.del(op.key);
          bytes += op.key.length;
        }
      }
      this.bytesWritten += bytes;
      return batch.write({ sync: this.sync });
    } catch (err) {
      // refused before writing (a closed database, a bad op): nothing written, as with an array batch
      batch?.close().catch(() => {});
      return Promise.reject(err);
    }
  }
}

/** An error from LevelDB's storage (not a rejected argument): the native layer's codes. */
function isStorageError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? '';
  const causeCode = e?.cause?.code ?? '';
  return /LEVEL_IO_ERROR|LEVEL_CORRUPTION|LEVEL_DATABASE_NOT_OPEN/.test(code + ' ' + causeCode) || /IO error|No space left/i.test(errorText(err));
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && !err.message.includes(cause.message) ? `${err.message}: ${cause.message}` : err.message;
}

function settle(s: Submission, err: LogError | undefined): void {
  if (err === undefined) {
    try {
      s.onApplied?.();
    } finally {
      s.resolve();
    }
  } else {
    try {
      s.onFailed?.();
    } finally {
      s.reject(err);
    }
  }
}
