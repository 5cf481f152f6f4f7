/**
 * A record an operator hands the task to produce at its commit. Made by a constructor rather than
 * an object literal, as fetched records are (log/fetched-record-object.ts): a
 * step's outputs all live until its commit, the pattern on which V8 starts allocating a literal's
 * objects in the old generation, where they (and the Buffers they hold) wait for a full collection.
 */
import type { ProduceRecord, RecordHeader } from '../log/log.js';

export class OutputRecord implements ProduceRecord {
  constructor(
    public topic: string,
    public key: Buffer | null,
    public value: Buffer | null,
    public timestamp: number,
    public headers: RecordHeader[] | undefined = undefined,
    public partition: number | undefined = undefined,
  ) {}
}
