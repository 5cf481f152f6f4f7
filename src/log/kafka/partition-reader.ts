/**
 * Random-access reads (fetch at an offset, list offsets, long-poll for data) over kafkajs's
 * cluster and broker objects. kafkajs's public consumer only reads through consumer groups, so this
 * is the one file that uses kafkajs internals: the cluster the Kafka client builds for its own
 * consumers (same brokers, TLS, SASL, retries), and its aborted-transaction filter. Reads are
 * read_committed: a transaction's records appear once it commits, never when it aborts.
 */
import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';
import { debugLog } from '../../common/debug-log.js';
import { LogError } from '../../common/errors.js';
import { FetchedRecordObject } from '../fetched-record-object.js';
import type { FetchedRecord, RecordHeader } from '../log.js';
import { kafkaErrorType } from './kafka-errors.js';

const require = createRequire(import.meta.url);
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as (args: { messages: RawMessage[]; abortedTransactions: unknown[] }) => RawMessage[];

const READ_COMMITTED = 1;
const EARLIEST = -2;
const LATEST = -1;

interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | null>;
  isControlRecord?: boolean;
}

interface RawPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  lastStartOffset: string;
  abortedTransactions: unknown[];
  messages: RawMessage[];
}

interface Broker {
  offsetCommit(request: object): Promise<unknown>;
  deleteRecords(request: object): Promise<unknown>;
  fetch(request: object): Promise<{ responses: { topicName: string; partitions: RawPartition[] }[] }>;
  listOffsets(request: object): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>;
}

interface Cluster {
  /** the topics whose metadata the cluster keeps; one deleted topic fails every metadata refresh */
  targetTopics: Set<string>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<Broker>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  findGroupCoordinator(args: { groupId: string }): Promise<Broker>;
}

/**
 * Every cluster (metadata cache and connections) the Kafka client builds, its producers' and
 * admin's included: kafkajs keeps asking for the metadata of each topic a cluster has used, and one
 * deleted topic then fails every metadata refresh of that cluster, so a deleted topic is dropped
 * from all of them.
 */
export class KafkaClusters {
  private readonly all = new Set<Cluster>();
  private readonly factory: (options: object) => Cluster;

  constructor(kafka: Kafka) {
    const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
    if (!symbol) throw new Error('this kafkajs version does not expose its cluster factory (expected kafkajs 2.x)');
    const slots = kafka as unknown as Record<symbol, (o: object) => Cluster>;
    const original = slots[symbol]!;
    this.factory = original;
    // the client's producers and admin get their clusters through this slot too
    slots[symbol] = (options: object) => {
      const cluster = original(options);
      this.all.add(cluster);
      return cluster;
    };
  }

  /** a cluster for random-access reads, with the client's own connection settings */
  create(): Cluster {
    const cluster = this.factory({ allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED, metadataMaxAge: 60_000 });
    this.all.add(cluster);
    return cluster;
  }

  /** stops every cluster asking for these topics' metadata */
  forget(topics: Iterable<string>): void {
    for (const topic of topics) for (const c of this.all) c.targetTopics.delete(topic);
  }

  /** fresh metadata for every connected cluster (after a broker went down: kafkajs keeps its metadata for minutes) */
  async refresh(): Promise<void> {
    await Promise.allSettled([...this.all].map((c) => (c.isConnected() ? c.refreshMetadata() : undefined)));
  }

  /** the topics some cluster still asks metadata for */
  targets(): Set<string> {
    const out = new Set<string>();
    for (const c of this.all) for (const t of c.targetTopics) out.add(t);
    return out;
  }
}

export interface RawFetch {
  records: FetchedRecord[];
  /** past the last record seen, control records and aborted ones included */
  nextOffset: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

function headersOf(raw: RawMessage['headers']): RecordHeader[] {
  const out: RecordHeader[] = [];
  for (const [key, v] of Object.entries(raw ?? {})) {
    if (Array.isArray(v)) for (const one of v) out.push({ key, value: one ?? null });
    else out.push({ key, value: v ?? null });
  }
  return out;
}

/** errors a stale leader or metadata can cause: refresh metadata and retry once */
const STALE = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'NOT_LEADER_OR_FOLLOWER']);

interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** how long a poll backs off after a retriable failure before the caller polls again */
const RETRY_BACKOFF_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * a failure that passes (kafkajs marks its errors: a leader moving, a topic not yet everywhere, a
 * connection lost); ours: no leader known yet
 */
function retriable(e: unknown): boolean {
  if (e instanceof LogError) return e.code === 'IO' && e.message.startsWith('No leader');
  const type = kafkaErrorType(e);
  if (type && STALE.has(type)) return true;
  return (e as { retriable?: boolean } | undefined)?.retriable === true;
}

export class PartitionReader {
  private readonly cluster: Cluster;

  constructor(clusters: KafkaClusters) {
    this.cluster = clusters.create();
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /** waits for the requests in flight (a poll takes at most its wait), so none reconnects after */
  async disconnect(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await this.cluster.disconnect();
  }

  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();

  private track<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LogError('The Kafka log is closed', 'CLOSED'));
    const p = op();
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private async leader(topic: string, partition: number): Promise<Broker> {
    await this.cluster.addTargetTopic(topic);
    const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
    const nodeId = Object.keys(leaders).find((id) => leaders[id]!.includes(partition));
    if (nodeId === undefined) {
      // no metadata for the topic at all: another request replaced the metadata meanwhile (kafkajs
      // keeps one set per cluster), so that is a stale read, not a missing partition
      const known = this.cluster.findTopicPartitionMetadata(topic);
      if (known.length > 0 && !known.some((p) => p.partitionId === partition))
        throw new LogError(`Topic ${topic} has no partition ${partition}`, 'INVALID_PARTITION', { topic, partition });
      throw new LogError(`No leader for ${topic}-${partition}`, 'IO', { topic, partition });
    }
    return this.cluster.findBroker({ nodeId });
  }

  /**
   * runs `op` against the partition's leader; when the leader moved or is unreachable, or a new
   * topic has not reached every broker yet, refreshes metadata and tries again for a few seconds
   */
  private async withLeader<T>(topic: string, partition: number, op: (broker: Broker) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op(await this.leader(topic, partition));
      } catch (e) {
        const type = (e as { type?: string }).type;
        // a stale leader, a new topic, or a broker that went down (its partitions get new leaders within seconds)
        if (!retriable(e) || attempt >= 12) throw e;
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
        // a topic deleted elsewhere would fail every refresh: start again from this topic alone
        if (type === 'UNKNOWN_TOPIC_OR_PARTITION') this.cluster.targetTopics = new Set([topic]);
        await this.cluster.refreshMetadata().catch(() => {});
      }
    }
  }

  /** Kafka's DeleteRecords on the partition's leader (kafkajs's admin looks the leader up before it knows the topic) */
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    return this.track(() => this.deleteRecordsNow(topic, partition, beforeOffset));
  }

  private async deleteRecordsNow(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    try {
      await this.withLeader(topic, partition, (broker) => broker.deleteRecords({ topics: [{ topic, partitions: [{ partition, offset: beforeOffset.toString() }] }] }));
    } catch (e) {
      // the broker's error sits inside the per-partition list
      const inner = (e as { partitions?: { error?: { type?: string } }[] }).partitions?.[0]?.error;
      if (inner?.type === 'OFFSET_OUT_OF_RANGE')
        throw new LogError(`Cannot delete records of ${topic}-${partition} before ${beforeOffset}: past the high watermark`, 'OFFSET_OUT_OF_RANGE', { topic, partition, offset: beforeOffset });
      throw inner ?? e;
    }
  }

  /**
   * One long poll over many positions: a single fetch per leader broker, answered as soon as any of
   * its partitions has data past its position (or after maxWaitMs). True when some position has data;
   * false after maxWaitMs, or sooner (after a short backoff) when a leader is unknown or unreachable
   * right now (a new topic, a broker failing over): metadata is refreshed and the caller polls again.
   * A non-retriable error (an offset out of range) is thrown, for the caller's fetch to report.
   */
  pollAny(positions: readonly Position[], maxWaitMs: number): Promise<boolean> {
    return this.track(() => this.pollAnyNow(positions, maxWaitMs));
  }

  private async pollAnyNow(positions: readonly Position[], maxWaitMs: number): Promise<boolean> {
    const started = Date.now();
    const byLeader = new Map<string, Position[]>();
    // positions whose leader is not known right now (a new topic, a leader moving): looked at again soon
    let leaderless = false;
    try {
      for (const p of positions) await this.cluster.addTargetTopic(p.topic);
      for (const p of positions) {
        let nodeId = this.leaderOf(p);
        // a new topic, or metadata another request replaced meanwhile: look again once
        if (nodeId === undefined) {
          await this.cluster.refreshMetadata();
          nodeId = this.leaderOf(p);
        }
        if (nodeId === undefined) {
          // a partition the topic does not have: the caller's fetch says so
          if (this.lacksPartition(p)) return true;
          leaderless = true;
          continue;
        }
        (byLeader.get(nodeId) ?? byLeader.set(nodeId, []).get(nodeId)!).push(p);
      }
    } catch (e) {
      if (!retriable(e)) throw e;
      await this.recover(e, positions);
      await sleep(Math.min(RETRY_BACKOFF_MS, maxWaitMs));
      return false;
    }
    const waitMs = leaderless ? Math.min(maxWaitMs, RETRY_BACKOFF_MS) : maxWaitMs;
    if (byLeader.size === 0) {
      await sleep(waitMs);
      return false;
    }
    const polls = [...byLeader].map(async ([nodeId, list]) => {
      const broker = await this.cluster.findBroker({ nodeId });
      const topics = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
      for (const p of list) (topics.get(p.topic) ?? topics.set(p.topic, []).get(p.topic)!).push({ partition: p.partition, fetchOffset: p.offset.toString(), maxBytes: 1 });
      const response = await broker.fetch({
        replicaId: -1,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: waitMs,
        minBytes: 1,
        maxBytes: 1,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
      for (const t of response.responses)
        for (const part of t.partitions) {
          const pos = list.find((p) => p.topic === t.topicName && p.partition === part.partition);
          const lso = BigInt(part.lastStableOffset) >= 0n ? BigInt(part.lastStableOffset) : BigInt(part.highWatermark);
          if (pos && lso > pos.offset) return true;
        }
      return false;
    });
    const results = await Promise.allSettled(polls);
    if (results.some((r) => r.status === 'fulfilled' && r.value)) return true;
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    // an offset out of range, say: the caller's fetch reports it
    const fatal = errors.find((e) => !retriable(e));
    if (fatal !== undefined) throw fatal;
    if (errors.length) {
      // a leader that moved or died, a connection that closed: fresh metadata, then poll again
      await this.recover(errors[0], positions);
      await sleep(Math.max(0, Math.min(RETRY_BACKOFF_MS, maxWaitMs - (Date.now() - started))));
    }
    return false;
  }

  private leaderOf(p: { topic: string; partition: number }): string | undefined {
    const leaders = this.cluster.findLeaderForPartitions(p.topic, [p.partition]);
    return Object.keys(leaders).find((id) => leaders[id]!.includes(p.partition));
  }

  /** the topic's metadata is known and has no such partition */
  private lacksPartition(p: { topic: string; partition: number }): boolean {
    let known: { partitionId: number }[];
    try {
      known = this.cluster.findTopicPartitionMetadata(p.topic);
    } catch {
      return false;
    }
    return known.length > 0 && !known.some((k) => k.partitionId === p.partition);
  }

  /** after a retriable failure: metadata refreshed (for these topics only if a deleted topic fails every refresh) */
  private async recover(e: unknown, positions: readonly Position[]): Promise<void> {
    if (kafkaErrorType(e) === 'UNKNOWN_TOPIC_OR_PARTITION') this.cluster.targetTopics = new Set(positions.map((p) => p.topic));
    await this.cluster.refreshMetadata().catch(() => {});
  }

  /**
   * Kafka's OffsetCommit as a standalone client (generation -1, no member), as Kafka Streams' and
   * ksqlDB's tools do; kafkajs's admin.setOffsets instead joins the group with a consumer first
   */
  commitOffsets(groupId: string, topics: { topic: string; partitions: { partition: number; offset: string }[] }[], member?: { memberId: string; generationId: number }): Promise<void> {
    return this.track(() => this.commitOffsetsNow(groupId, topics, member));
  }

  /** with `member`: as that member of the group's current generation (a group with members refuses others) */
  private async commitOffsetsNow(groupId: string, topics: { topic: string; partitions: { partition: number; offset: string }[] }[], member?: { memberId: string; generationId: number }): Promise<void> {
    const coordinator = await this.cluster.findGroupCoordinator({ groupId });
    await coordinator.offsetCommit({ groupId, groupGenerationId: member?.generationId ?? -1, memberId: member?.memberId ?? '', retentionTime: -1, topics });
  }

  listOffset(topic: string, partition: number, which: 'earliest' | 'latest'): Promise<bigint> {
    return this.track(() => this.listOffsetNow(topic, partition, which));
  }

  private async listOffsetNow(topic: string, partition: number, which: 'earliest' | 'latest'): Promise<bigint> {
    return this.withLeader(topic, partition, async (broker) => {
      const { responses } = await broker.listOffsets({
        replicaId: -1,
        isolationLevel: READ_COMMITTED,
        topics: [{ topic, partitions: [{ partition, timestamp: which === 'earliest' ? EARLIEST : LATEST }] }],
      });
      return BigInt(responses[0]!.partitions[0]!.offset);
    });
  }

  /**
   * One fetch of one partition from `offset`: waits up to maxWaitMs for at least one byte (0:
   * answers at once). OFFSET_OUT_OF_RANGE raises LogError.
   */
  fetch(topic: string, partition: number, offset: bigint, options: { maxBytes: number; maxWaitMs: number }): Promise<RawFetch> {
    return this.track(() => this.fetchNow(topic, partition, offset, options));
  }

  private async fetchNow(topic: string, partition: number, offset: bigint, options: { maxBytes: number; maxWaitMs: number }): Promise<RawFetch> {
    let raw: RawPartition;
    for (let attempt = 0; ; attempt++) {
      try {
        raw = await this.fetchOnce(topic, partition, offset, options);
        break;
      } catch (e) {
        // a partition just created (or just moved) can answer out of range for an offset it holds:
        // ask for its bounds, and only an offset really outside them is out of range
        if (!(e instanceof LogError) || e.code !== 'OFFSET_OUT_OF_RANGE' || attempt >= 20) throw e;
        const [earliest, latest] = [await this.listOffsetNow(topic, partition, 'earliest'), await this.listOffsetNow(topic, partition, 'latest')];
        debugLog(`fetch ${topic}-${partition} at ${offset}: out of range (attempt ${attempt}; earliest ${earliest}, latest ${latest})`);
        if (offset < earliest || offset > latest) throw e;
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
      }
    }
    return this.decode(topic, partition, offset, raw);
  }

  private async fetchOnce(topic: string, partition: number, offset: bigint, options: { maxBytes: number; maxWaitMs: number }): Promise<RawPartition> {
    let raw: RawPartition;
    try {
      raw = await this.withLeader(topic, partition, async (broker) => {
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: READ_COMMITTED,
          maxWaitTime: options.maxWaitMs,
          minBytes: 1,
          maxBytes: options.maxBytes,
          topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: options.maxBytes }] }],
        });
        return response.responses[0]!.partitions[0]!;
      });
    } catch (e) {
      if ((e as { type?: string }).type === 'OFFSET_OUT_OF_RANGE')
        throw new LogError(`Offset ${offset} is out of range for ${topic}-${partition}`, 'OFFSET_OUT_OF_RANGE', { topic, partition, offset });
      throw e;
    }
    return raw;
  }

  private decode(topic: string, partition: number, offset: bigint, raw: RawPartition): RawFetch {
    // a fetch may start inside a batch before the offset asked for (compressed batches)
    const within = raw.messages.filter((m) => BigInt(m.offset) >= offset);
    const lastStableOffset = BigInt(raw.lastStableOffset) >= 0n ? BigInt(raw.lastStableOffset) : BigInt(raw.highWatermark);
    const seen = within.length ? BigInt(within[within.length - 1]!.offset) + 1n : offset;
    // records of an open transaction past the LSO are not readable yet: never step past the LSO
    const visible = within.filter((m) => BigInt(m.offset) < lastStableOffset);
    const kept = filterAbortedMessages({ messages: visible, abortedTransactions: raw.abortedTransactions ?? [] }).filter((m) => !m.isControlRecord);
    const records: FetchedRecord[] = kept.map(
      (m) => new FetchedRecordObject(topic, partition, BigInt(m.offset), m.key ?? null, m.value ?? null, Number(m.timestamp), headersOf(m.headers)),
    );
    // only past what was seen: a response can come back empty while the partition has more
    // (a batch not readable yet under load), and skipping to the watermark would lose records
    const nextOffset = seen < lastStableOffset ? seen : lastStableOffset > offset ? lastStableOffset : offset;
    return { records, nextOffset: within.length === 0 ? offset : nextOffset, lastStableOffset, logStartOffset: BigInt(raw.lastStartOffset) };
  }
}
