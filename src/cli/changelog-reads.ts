/**
 * Watches a query's state being restored from its changelog topics, from outside the runtime: the
 * log handed to the engine is wrapped so that reads of `...-changelog` topics (which only a
 * restore does) report how far they got against the topic's end offset.
 */
import type { Log } from '../index.js';

export interface ChangelogRestore {
  readonly topic: string;
  /** records read so far */
  readonly restored: bigint;
  /** records the changelog held when the restore began */
  readonly total: bigint;
}

export class ChangelogReads {
  private readonly reads = new Map<string, { start: bigint; end: bigint; reached: bigint }>();

  restores(): ChangelogRestore[] {
    return [...this.reads.entries()].map(([topic, r]) => ({ topic, restored: r.reached - r.start, total: r.end - r.start }));
  }

  wrap(log: Log): Log {
    return new Proxy(log, {
      get: (target, prop) => {
        if (prop === 'fetch') {
          return async (...args: Parameters<Log['fetch']>) => {
            const [topic, partition, from] = args;
            if (topic.endsWith('-changelog') && !this.reads.has(`${topic}`)) {
              const end = await target.latestOffset(topic, partition);
              this.reads.set(topic, { start: from, end, reached: from });
            }
            const result = await target.fetch(...args);
            const read = this.reads.get(topic);
            if (read && result.nextOffset > read.reached) read.reached = result.nextOffset > read.end ? read.end : result.nextOffset;
            return result;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
