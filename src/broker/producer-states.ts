/**
 * Idempotent and transactional producers. Producer ids, epochs, the last sequence numbers of
 * each (producer, partition) and open transactions live in broker memory: a restart forgets
 * them (producers then re-initialise, as after a Kafka coordinator move).
 *
 * A transaction's records are staged here, not in the log, and reach the log in one atomic
 * commitTransaction at EndTxn(commit), together with the offsets sent by TxnOffsetCommit; an
 * abort drops them. So the log only ever holds committed data (see fetch.ts on isolation).
 */
import { LRUCache } from 'lru-cache';
import type { GroupOffsets, Log, ProduceRecord, TopicPartitionOffset } from '../log/log.js';
import { ErrorCode } from './error-codes.js';
import type { RecordBatch } from './record-batch.js';

interface AppendedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: bigint;
}

interface SequenceState {
  epoch: number;
  lastSeq: number;
  /** the last five batches, as Kafka keeps, to acknowledge a resent one with its offsets */
  recent: AppendedBatch[];
}

interface OpenTransaction {
  producerId: bigint;
  epoch: number;
  timeoutMs: number;
  ongoing: boolean;
  partitions: Set<string>;
  groups: Set<string>;
  records: ProduceRecord[];
  offsets: Map<string, TopicPartitionOffset[]>;
  timer?: NodeJS.Timeout;
}

export interface Outcome {
  errorCode: number;
  message?: string;
  duplicateOf?: bigint;
}

const OK: Outcome = { errorCode: ErrorCode.NONE };
const MAX_STAGED_RECORDS = 1_000_000;
/** idempotence state kept for this many (producer, partition) pairs, least recently used dropped */
const MAX_SEQUENCE_STATES = 100_000;

export class ProducerStates {
  private nextId = BigInt(Date.now()) * 1000n;
  // bounded, as Kafka expires idle producer state (producer.id.expiration.ms): a producer whose
  // state was dropped is accepted again from whatever sequence it sends next
  private readonly sequences = new LRUCache<string, SequenceState>({ max: MAX_SEQUENCE_STATES });
  private readonly epochs = new LRUCache<bigint, number>({ max: MAX_SEQUENCE_STATES });
  private readonly transactions = new Map<string, OpenTransaction>();

  constructor(private readonly log: Log) {}

  initProducerId(transactionalId: string | null, timeoutMs: number): { errorCode: number; producerId: bigint; producerEpoch: number } {
    if (transactionalId === null) {
      const producerId = this.nextId++;
      this.epochs.set(producerId, 0);
      return { errorCode: 0, producerId, producerEpoch: 0 };
    }
    let txn = this.transactions.get(transactionalId);
    if (!txn) {
      const producerId = this.nextId++;
      txn = { producerId, epoch: 0, timeoutMs, ongoing: false, partitions: new Set(), groups: new Set(), records: [], offsets: new Map() };
      this.transactions.set(transactionalId, txn);
    } else {
      // a new incarnation fences the old one and aborts what it left open
      this.reset(txn);
      txn.epoch += 1;
      txn.timeoutMs = timeoutMs;
    }
    this.epochs.set(txn.producerId, txn.epoch);
    return { errorCode: 0, producerId: txn.producerId, producerEpoch: txn.epoch };
  }

  private reset(txn: OpenTransaction): void {
    if (txn.timer) clearTimeout(txn.timer);
    txn.timer = undefined;
    txn.ongoing = false;
    txn.partitions.clear();
    txn.groups.clear();
    txn.records = [];
    txn.offsets.clear();
  }

  private txnFor(transactionalId: string | null, producerId: bigint, epoch: number): OpenTransaction | Outcome {
    const txn = transactionalId === null ? undefined : this.transactions.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    if (epoch < txn.epoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
    if (epoch > txn.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    return txn;
  }

  private begin(txn: OpenTransaction): void {
    if (txn.ongoing) return;
    txn.ongoing = true;
    // Kafka aborts a transaction left open past its timeout and bumps the epoch
    txn.timer = setTimeout(() => {
      this.reset(txn);
      txn.epoch += 1;
      this.epochs.set(txn.producerId, txn.epoch);
    }, Math.max(1000, txn.timeoutMs));
    txn.timer.unref();
  }

  addPartitions(transactionalId: string | null, producerId: bigint, epoch: number, partitions: { topic: string; partition: number }[]): number {
    const txn = this.txnFor(transactionalId, producerId, epoch);
    if (!('records' in txn)) return txn.errorCode;
    this.begin(txn);
    for (const p of partitions) txn.partitions.add(`${p.topic}\u0000${p.partition}`);
    return 0;
  }

  addOffsets(transactionalId: string | null, producerId: bigint, epoch: number, group: string): number {
    const txn = this.txnFor(transactionalId, producerId, epoch);
    if (!('records' in txn)) return txn.errorCode;
    this.begin(txn);
    txn.groups.add(group);
    return 0;
  }

  txnOffsetCommit(transactionalId: string | null, producerId: bigint, epoch: number, group: string, offsets: TopicPartitionOffset[]): number {
    const txn = this.txnFor(transactionalId, producerId, epoch);
    if (!('records' in txn)) return txn.errorCode;
    if (!txn.ongoing || !txn.groups.has(group)) return ErrorCode.INVALID_TXN_STATE;
    const list = txn.offsets.get(group) ?? [];
    for (const o of offsets) {
      const i = list.findIndex((x) => x.topic === o.topic && x.partition === o.partition);
      if (i >= 0) list[i] = o;
      else list.push(o);
    }
    txn.offsets.set(group, list);
    return 0;
  }

  async endTxn(transactionalId: string | null, producerId: bigint, epoch: number, commit: boolean): Promise<number> {
    const txn = this.txnFor(transactionalId, producerId, epoch);
    if (!('records' in txn)) return txn.errorCode;
    if (!txn.ongoing) return commit ? ErrorCode.INVALID_TXN_STATE : 0;
    const records = txn.records;
    const offsets = [...txn.offsets.entries()];
    this.reset(txn);
    if (!commit) return 0;
    const [first, ...rest] = offsets;
    const groupOffsets: GroupOffsets | undefined = first ? { group: first[0], offsets: first[1] } : undefined;
    await this.log.commitTransaction({ produce: records, ...(groupOffsets ? { offsets: groupOffsets } : {}) });
    for (const [group, list] of rest) await this.log.commitOffsets(group, list);
    return 0;
  }

  /** whether a batch is new, a resend of one of the last five (with its offset), or out of order */
  checkSequence(batch: RecordBatch, topic: string, partition: number): Outcome {
    if (batch.producerId < 0n) return OK;
    const known = this.epochs.get(batch.producerId);
    if (known !== undefined && batch.producerEpoch < known) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: 'producer epoch is stale' };
    const s = this.sequences.get(`${batch.producerId}\u0000${topic}\u0000${partition}`);
    if (!s || batch.producerEpoch > s.epoch) return OK;
    if (batch.producerEpoch < s.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    const last = batch.baseSequence + batch.recordCount - 1;
    const dup = s.recent.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === last);
    if (dup) return { errorCode: 0, duplicateOf: dup.baseOffset };
    const expected = s.lastSeq === 0x7fffffff ? 0 : s.lastSeq + 1;
    if (batch.baseSequence !== expected) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `expected sequence ${expected}, got ${batch.baseSequence}` };
    return OK;
  }

  recordAppended(batch: RecordBatch, topic: string, partition: number, baseOffset: bigint): void {
    if (batch.producerId < 0n) return;
    const key = `${batch.producerId}\u0000${topic}\u0000${partition}`;
    let s = this.sequences.get(key);
    if (!s || batch.producerEpoch > s.epoch) {
      s = { epoch: batch.producerEpoch, lastSeq: -1, recent: [] };
      this.sequences.set(key, s);
    }
    const last = batch.baseSequence + batch.recordCount - 1;
    s.lastSeq = last;
    s.recent.push({ firstSeq: batch.baseSequence, lastSeq: last, baseOffset });
    if (s.recent.length > 5) s.recent.shift();
  }

  stage(transactionalId: string | null, batch: RecordBatch, topic: string, partition: number, records: ProduceRecord[]): Outcome {
    const txn = this.txnFor(transactionalId, batch.producerId, batch.producerEpoch);
    if (!('records' in txn)) return txn;
    if (!txn.ongoing || !txn.partitions.has(`${topic}\u0000${partition}`)) return { errorCode: ErrorCode.INVALID_TXN_STATE, message: 'partition not added to the transaction' };
    if (txn.records.length + records.length > MAX_STAGED_RECORDS) return { errorCode: ErrorCode.RECORD_LIST_TOO_LARGE, message: `a transaction holds at most ${MAX_STAGED_RECORDS} records here` };
    for (const r of records) txn.records.push(r);
    return OK;
  }

  close(): void {
    for (const t of this.transactions.values()) this.reset(t);
  }
}
