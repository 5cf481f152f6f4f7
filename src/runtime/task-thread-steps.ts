/**
 * The steps of a query whose tasks run on task threads as well as on the main thread
 * (num.stream.threads > 1). The tasks here step for a slice while each task thread steps its
 * tasks, and a task thread starts its next slice as soon as its last one ends, also across the
 * query's steps, so neither side waits for the other while both have input: the main thread
 * steps its own tasks while a task thread's slice runs, and waits only when its own tasks have
 * nothing to read.
 *
 * A task thread's slices may run on after the query's step returns, for a slice or two (each
 * starts only while a query step is recent, so stopping the engine stops the task threads too):
 * a task thread starts its next slice itself when it answers (task-thread-host.ts). The runtime
 * brings the tasks to rest before whatever needs them there (caughtUp): rest() waits for every
 * slice and for their commits. A step that found no work anywhere returns 0 only at rest, as on
 * one thread.
 */
import type { RuntimeTask } from './query-runtime.js';
import { StreamTask } from './stream-task.js';
import { RemoteTask } from './task-thread-pool.js';

export class ThreadedSteps {
  private readonly running = new Map<RemoteTask, Promise<void>>();
  /** tasks whose last commits may still be in flight (settle() waits for them) */
  private readonly unsettled = new Set<RemoteTask>();
  /** records the task threads consumed that no step has reported yet */
  private consumed = 0;
  private error: { reason: unknown } | undefined;
  /** no task thread's slice starts after this (performance.now() ms) */
  private startUntil = 0;

  /** One step of `tasks` for about `sliceMs`; returns the records consumed (on either side). */
  async step(tasks: readonly RuntimeTask[], sliceMs: number): Promise<number> {
    this.throwError();
    const until = performance.now() + sliceMs;
    this.startUntil = until + sliceMs;
    const local: StreamTask[] = [];
    for (const t of tasks) {
      if (t instanceof StreamTask) local.push(t);
      else if (t instanceof RemoteTask && !this.running.has(t)) this.launch(t, sliceMs);
    }
    let consumed = 0;
    for (;;) {
      let n = 0;
      for (const t of local) if (!t.failure) n += await t.step();
      consumed += n;
      if (this.error || local.some((t) => t.failure) || performance.now() >= until) break;
      if (n === 0) {
        if (this.running.size === 0) break;
        // nothing to read here: wait for a task thread's slice (its commits may be input here)
        await Promise.race(this.running.values());
      }
    }
    if (consumed === 0 && this.consumed === 0 && !this.error) await this.rest();
    this.throwError();
    consumed += this.consumed;
    this.consumed = 0;
    return consumed;
  }

  private launch(t: RemoteTask, sliceMs: number): void {
    this.unsettled.add(t);
    const p: Promise<void> = t.step(false, sliceMs, true).then(
      (n) => {
        this.running.delete(t);
        this.consumed += n;
        // more input: the next slice at once (this thread may be busy with its own tasks)
        if (n > 0 && !t.failure && !this.error && performance.now() < this.startUntil) this.launch(t, sliceMs);
      },
      (e: unknown) => {
        this.running.delete(t);
        this.error ??= { reason: e };
      },
    );
    this.running.set(t, p);
  }

  /**
   * Starts no more slices, waits for those running and for the task threads' commits. Returns
   * whether the tasks are idle: false when they consumed records no step has reported yet, or
   * failed (the next step reports it).
   */
  async rest(): Promise<boolean> {
    this.startUntil = 0;
    while (this.running.size) await Promise.all(this.running.values());
    const settled = await Promise.allSettled([...this.unsettled].map((t) => t.settle()));
    this.unsettled.clear();
    for (const r of settled) {
      if (r.status === 'rejected') this.error ??= { reason: r.reason };
      else this.consumed += r.value;
    }
    return this.consumed === 0 && !this.error;
  }

  /** No more slices start (the query is closing). */
  stop(): void {
    this.startUntil = 0;
  }

  private throwError(): void {
    const e = this.error;
    if (!e) return;
    this.error = undefined;
    throw e.reason;
  }
}
