/**
 * A fetched record, as the logs make them. Made by a constructor rather than an object literal:
 * V8 tracks the objects of a literal by its allocation site and, when most of them outlive a
 * young-generation collection, allocates that site's objects in the old generation from then on
 * ("pretenuring"). A fetch makes a burst of records that live until its batch is processed, which
 * is what tips that decision; once tenured, every record (and the Buffers and BigInt it holds,
 * kept alive by it) went to the old generation and was freed only by full collections (q8: 146 MB
 * promoted per run; 56 MB once made here). Objects made by a constructor have no allocation site. Outputs
 * waiting for a commit are made the same way (runtime/output-record.ts).
 */
import type { FetchedRecord, RecordHeader } from './log.js';

export class FetchedRecordObject implements FetchedRecord {
  constructor(
    public topic: string,
    public partition: number,
    public offset: bigint,
    public key: Buffer | null,
    public value: Buffer | null,
    public timestamp: number,
    public headers: RecordHeader[],
  ) {}
}
