/**
 * One step of a query whose tasks run on task threads as well as on the main thread
 * (num.stream.threads > 1). The tasks here step for a slice while each task thread steps its
 * tasks, and a task thread starts its next slice as soon as its last one ends, so neither side
 * waits for the other while both have input: the main thread keeps stepping its own tasks while a
 * task thread's slice runs, and waits only when its own tasks have nothing to read.
 *
 * No task thread's step outlives the query's step, and the step ends with every task thread's
 * commits written (or their error thrown), as when every task runs here: whatever the runtime does
 * between steps (caughtUp, close, a rebalance) sees the tasks at rest.
 */
import type { RuntimeTask } from './query-runtime.js';
import { StreamTask } from './stream-task.js';
import { RemoteTask } from './task-thread-pool.js';

/** the shortest slice asked of a task thread (less is not worth the round trip) */
const MIN_REMOTE_SLICE_MS = 2;

export async function stepOnThreads(tasks: readonly RuntimeTask[], sliceMs: number): Promise<number> {
  const until = performance.now() + sliceMs;
  const local: StreamTask[] = [];
  const remote: RemoteTask[] = [];
  for (const t of tasks) {
    if (t instanceof StreamTask) local.push(t);
    else if (t instanceof RemoteTask) remote.push(t);
  }
  let consumed = 0;
  let error: { reason: unknown } | undefined;
  /** a task here failed: the task threads finish the slice in hand and start no other */
  let stop = false;
  const running = new Set<Promise<void>>();
  const stepped = new Set<RemoteTask>();
  const launch = (t: RemoteTask): void => {
    stepped.add(t);
    const p: Promise<void> = t.step(false, Math.max(MIN_REMOTE_SLICE_MS, until - performance.now())).then(
      (n) => {
        running.delete(p);
        consumed += n;
        // more input and time left: the next slice at once (this thread may be busy with its own)
        if (n > 0 && !t.failure && !error && !stop && performance.now() < until) launch(t);
      },
      (e: unknown) => {
        running.delete(p);
        error ??= { reason: e };
      },
    );
    running.add(p);
  };
  for (const t of remote) launch(t);
  const failed = () => error !== undefined || local.some((t) => t.failure);
  for (;;) {
    let n = 0;
    for (const t of local) if (!t.failure) n += await t.step();
    consumed += n;
    if (failed()) {
      stop = true;
      break;
    }
    // the slice is over: step on only while a task thread still finishes its own
    if (performance.now() >= until && running.size === 0) break;
    if (n === 0) {
      if (running.size === 0) break;
      // nothing to read here: wait for a task thread (its commits may be this thread's input)
      await Promise.race(running);
    }
  }
  while (running.size) await Promise.all(running);
  // their last commits written: the step ends with its work committed, as on one thread
  const settled = await Promise.allSettled([...stepped].map((t) => t.settle()));
  for (const r of settled) if (r.status === 'rejected') error ??= { reason: r.reason };
  if (error) throw error.reason;
  return consumed;
}
