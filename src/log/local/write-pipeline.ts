/**
 * Serialises every write of the embedded log through LevelDB in submission order, with group
 * commit: writes submitted while a LevelDB batch is in flight are merged into the next batch.
 *
 * Order matters because offsets are assigned in memory at submission: a partition's high
 * watermark may only move past a batch once every earlier batch is durable, and LevelDB does not
 * order concurrent db.batch() calls. Each submission's ops stay atomic (they are never split across
 * LevelDB batches); if a merged batch fails, its submissions are retried one by one so that one bad
 * submission cannot fail the others.
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
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Level<Buffer, Buffer>,
    private readonly sync: boolean,
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
        const group = this.queue;
        this.queue = [];
        if (group.length === 1) {
          await this.write(group[0].ops).then(
            () => settle(group[0], undefined),
            (err) => settle(group[0], err),
          );
          continue;
        }
        const ops: WriteOp[] = [];
        for (const s of group) for (const op of s.ops) ops.push(op);
        let failed = false;
        await this.write(ops).catch(() => {
          failed = true;
        });
        if (!failed) {
          for (const s of group) settle(s, undefined);
          continue;
        }
        // a failed LevelDB batch wrote nothing: retry each submission alone, in order
        for (const s of group) {
          await this.write(s.ops).then(
            () => settle(s, undefined),
            (err) => settle(s, err),
          );
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private write(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return this.db.batch(ops, { sync: this.sync });
  }
}

function settle(s: Submission, err: unknown): void {
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
      s.reject(
        err instanceof LogError
          ? err
          : new LogError(`log write failed: ${err instanceof Error ? err.message : String(err)}`, 'IO'),
      );
    }
  }
}
