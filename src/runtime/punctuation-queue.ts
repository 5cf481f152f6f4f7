/**
 * A task's timers (Kafka Streams' PunctuationQueue): stream-time schedules fire after a record
 * moves the task's stream time to or past their next time, wall-clock ones when the loop finds
 * their time passed. The next due time of each kind is kept so the per-record check is one compare.
 */
import type { Cancellable, Punctuator, PunctuationType } from './processor.js';

interface Schedule {
  readonly intervalMs: number;
  readonly punctuator: Punctuator;
  next: number;
  cancelled: boolean;
}

export class PunctuationQueue {
  private readonly schedules: Record<PunctuationType, Schedule[]> = { STREAM_TIME: [], WALL_CLOCK_TIME: [] };
  /** the earliest time any schedule of each kind is due */
  private readonly due: Record<PunctuationType, number> = { STREAM_TIME: Number.POSITIVE_INFINITY, WALL_CLOCK_TIME: Number.POSITIVE_INFINITY };

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`A punctuation interval must be at least 1 ms, got ${intervalMs}`);
    // stream-time schedules fire at the first stream time seen; wall-clock ones one interval from now
    const s: Schedule = { intervalMs, punctuator, next: type === 'STREAM_TIME' ? Number.NEGATIVE_INFINITY : Date.now() + intervalMs, cancelled: false };
    this.schedules[type].push(s);
    this.due[type] = Math.min(this.due[type], s.next);
    return {
      cancel: () => {
        s.cancelled = true;
        this.schedules[type] = this.schedules[type].filter((x) => x !== s);
        this.recompute(type);
      },
    };
  }

  /** true when a punctuation of this kind is due at `now` (cheap: called per record) */
  isDue(type: PunctuationType, now: number): boolean {
    return now >= this.due[type];
  }

  /** runs every schedule of this kind due at `now`, each once however far time jumped */
  async fire(type: PunctuationType, now: number): Promise<void> {
    for (const s of [...this.schedules[type]]) {
      if (s.cancelled || now < s.next) continue;
      s.next = s.next === Number.NEGATIVE_INFINITY ? now + s.intervalMs : s.next + (Math.floor((now - s.next) / s.intervalMs) + 1) * s.intervalMs;
      const waiting = s.punctuator(now);
      if (waiting) await waiting;
    }
    this.recompute(type);
  }

  clear(): void {
    for (const type of ['STREAM_TIME', 'WALL_CLOCK_TIME'] as const) {
      for (const s of this.schedules[type]) s.cancelled = true;
      this.schedules[type] = [];
      this.due[type] = Number.POSITIVE_INFINITY;
    }
  }

  private recompute(type: PunctuationType): void {
    let min = Number.POSITIVE_INFINITY;
    for (const s of this.schedules[type]) if (s.next < min) min = s.next;
    this.due[type] = min;
  }
}
