/**
 * The Log contract over a real Kafka cluster through kafkajs (see ../log.ts):
 *
 * - admin (topics, configs, groups) through kafkajs's admin client;
 * - produce through one idempotent producer; the adapter picks partitions itself (murmur2 for
 *   keys, sticky per call for null keys) so records land where the embedded log puts them;
 * - random-access fetch, offsets and long-polling for data through PartitionReader, read_committed;
 * - commitTransaction through a transactional producer (one per consumer group: Kafka Streams'
 *   first exactly-once mode, one producer per task), records and sendOffsets in one transaction;
 * - retention and compaction are the brokers' business (maintain() does nothing).
 *
 * The high watermark this adapter reports is the last stable offset (read_committed): what a fetch
 * can return. Offsets have gaps where transaction markers sit.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Kafka, logLevel, type Admin, type Producer, type Transaction as KafkaTransaction, type Message } from 'kafkajs';
import { debugLog } from '../../common/debug-log.js';
import { LogError } from '../../common/errors.js';
import type {
  CreateTopicOptions,
  FetchOptions,
  FetchResult,
  Log,
  MaintenanceReport,
  ProduceRecord,
  ProduceResult,
  TopicConfig,
  TopicConfigInput,
  TopicDescription,
  TopicPartitionOffset,
  Transaction,
  TransactionResult,
} from '../log.js';
import { partitionForKey } from '../murmur2-partitioner.js';
import { KAFKA_DEFAULT_TOPIC_CONFIG, parseTopicConfig, parseTopicOverrides, validatePartitionCount, validateTopicName } from '../topic-config.js';
import './kafkajs-null-headers.js';
import { kafkaSettings, type KafkaSettings } from './kafka-client-config.js';
import { kafkaErrorType, toLogError } from './kafka-errors.js';
import { KafkaClusters, PartitionReader } from './partition-reader.js';
import { createKafkaProducer } from './kafkajs-produce-retry.js';
import { TaskGroupMember, type GroupCoordinator, type TaskGroupOptions } from './task-group-member.js';

const TOPIC_RESOURCE = 2;
const CONFIG_KEYS = Object.keys(KAFKA_DEFAULT_TOPIC_CONFIG) as (keyof TopicConfig)[];
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export interface KafkaLogOptions {
  /** Kafka client properties (bootstrap.servers, security.protocol, ..., see kafka-client-config.ts) */
  readonly properties: Readonly<Record<string, string>>;
  /** replication factor of the topics this adapter creates when the caller gives none (default: the broker's) */
  readonly replicationFactor?: number;
  /** kafkajs log level (default: errors only) */
  readonly verbose?: boolean;
}

/** a waiter closes early when the log closes */
interface Closable {
  closed: boolean;
  readonly closing: Promise<void>;
}

/** a group or transaction coordinator that is still loading or has moved: the request can be repeated */
const COORDINATOR_BUSY = new Set(['NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'CONCURRENT_TRANSACTIONS']);

const TRACKED = [
  'createTopic',
  'describeTopic',
  'listTopics',
  'deleteTopic',
  'updateTopicConfig',
  'produce',
  'fetch',
  'deleteRecords',
  'earliestOffset',
  'latestOffset',
  'commitOffsets',
  'committedOffsets',
  'listGroups',
  'deleteGroup',
  'commitTransaction',
] as const;

/** this producer's transactional id was taken over by a newer producer */
export const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);

/** a partition without a usable leader for a moment (a new topic, a broker failing over) */
const LEADER_MOVING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'NOT_ENOUGH_REPLICAS', 'REQUEST_TIMED_OUT']);

/** a broker unreachable or not answering (the error, or what it wraps) */
function connectionFailure(e: unknown): boolean {
  let cur = e as { name?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (/^KafkaJS(Connection|ConnectionClosed|RequestTimeout)Error$/.test(cur.name ?? '')) return true;
    cur = (cur.cause ?? cur.originalError) as typeof cur;
  }
  return false;
}

export class KafkaLog implements Log {
  readonly settings: KafkaSettings;
  private readonly kafka: Kafka;
  private readonly clusters: KafkaClusters;
  private readonly admin: Admin;
  private readonly producer: Producer;
  /** reads for fetch() and offsets */
  private readonly reader: PartitionReader;
  /** long polls (waitForData) on their own connections, so they never delay reads */
  private readonly poller: PartitionReader;
  private readonly transactional = new Map<string, { producer: Producer; queue: Promise<unknown> }>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly sticky = new Map<string, number>();
  private readonly state: Closable;
  private closeNow!: () => void;

  private constructor(private readonly options: KafkaLogOptions) {
    this.settings = kafkaSettings(options.properties);
    this.kafka = new Kafka({ ...this.settings.client, socketFactory: this.socketFactory, logLevel: options.verbose ? logLevel.INFO : logLevel.NOTHING });
    this.clusters = new KafkaClusters(this.kafka);
    this.admin = this.kafka.admin();
    // (kafkajs's producer with sends that survive a leader moving: see kafkajs-produce-retry.ts)
    this.producer = createKafkaProducer(this.kafka, { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.reader = new PartitionReader(this.clusters);
    this.poller = new PartitionReader(this.clusters);
    this.state = { closed: false, closing: new Promise((r) => (this.closeNow = r)) };
    // close() waits for the calls in flight: kafkajs reconnects on demand, so a call finishing
    // after the disconnect would leave a socket open
    for (const name of TRACKED) {
      const method = this[name] as (...args: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        const call = method.apply(this, args);
        this.inflight.add(call);
        const done = () => this.inflight.delete(call);
        call.then(done, done);
        return call;
      };
    }
  }

  private readonly inflight = new Set<Promise<unknown>>();

  /**
   * kafkajs's own socket factory, keeping every socket: two requests on a connection not yet open
   * both open one and kafkajs forgets the first, which then holds the process open; close() ends them all
   */
  private readonly sockets = new Set<Socket>();
  private readonly socketFactory = ({ host, port, ssl, onConnect }: { host: string; port: number; ssl: object | boolean | undefined; onConnect: () => void }): Socket => {
    const socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(typeof ssl === 'object' ? ssl : {}) }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    // kafkajs's disconnect() unrefs its socket even when the connection already failed: Node then
    // defers the unref to a 'connect' that never comes, a listener per disconnect (a broker down
    // makes many: MaxListenersExceededWarning)
    const unref = socket.unref.bind(socket);
    socket.unref = () => (socket.destroyed ? socket : unref());
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  };

  /** connects to the cluster; fails with LogError IO when no broker answers */
  static async open(options: KafkaLogOptions): Promise<KafkaLog> {
    // a broker that just died leaves partitions leaderless for a few seconds: try again meanwhile
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt++) {
      const log = new KafkaLog(options);
      try {
        await Promise.all([log.admin.connect(), log.producer.connect(), log.reader.connect(), log.poller.connect()]);
        return log;
      } catch (e) {
        await log.close();
        const type = kafkaErrorType(e) ?? '';
        if ((LEADER_MOVING.has(type) || COORDINATOR_BUSY.has(type)) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, Math.min(250 * (attempt + 1), 2000)));
          continue;
        }
        throw toLogError(e, {}, `Cannot connect to Kafka at ${options.properties['bootstrap.servers']}`);
      }
    }
  }

  /** repeats `op` while the coordinator it needs is loading (a fresh cluster creates __consumer_offsets on first use) */
  private async withCoordinator<T>(op: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        const type = kafkaErrorType(e);
        if (!type || !(COORDINATOR_BUSY.has(type) || LEADER_MOVING.has(type)) || Date.now() > deadline || this.state.closed) throw e;
        await new Promise((r) => setTimeout(r, Math.min(100 * (attempt + 1), 1000)));
      }
    }
  }

  private check(): void {
    if (this.state.closed) throw new LogError('The Kafka log is closed', 'CLOSED');
  }

  // ---- admin ----

  /** topics this client created or was told exist, until when a broker may not know them yet */
  private readonly justCreated = new Map<string, number>();

  async createTopic(name: string, options: CreateTopicOptions): Promise<void> {
    this.check();
    validateTopicName(name);
    const partitions = validatePartitionCount(name, options.partitions);
    const overrides = parseTopicOverrides(options.config, name);
    const replicationFactor = options.replicationFactor ?? this.options.replicationFactor ?? -1;
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await this.admin.createTopics({
          // kafkajs waits for leaders with a fixed 100 ms between checks: untilLeaders checks sooner
          waitForLeaders: false,
          topics: [{ topic: name, numPartitions: partitions, replicationFactor, configEntries: Object.entries(overrides).map(([k, v]) => ({ name: k, value: String(v) })) }],
        });
        if (!created && attempt === 0) {
          // created by another client moments ago, maybe: callers that accept an existing topic use
          // it next, so wait (a while) until this cluster's brokers know it
          await this.untilKnown(name);
          this.justCreated.set(name, Date.now() + 30_000);
          throw new LogError(`Topic ${name} already exists`, 'TOPIC_EXISTS', { topic: name });
        }
        await this.untilLeaders(name, partitions);
        break;
      } catch (e) {
        const mapped = toLogError(e, { topic: name }, `Cannot create topic ${name}`);
        if ((mapped.code !== 'IO' && mapped.code !== 'UNKNOWN_TOPIC') || attempt >= 8 || this.state.closed) throw mapped;
        // kafkajs refreshes the metadata of every topic it has seen, before creating and while
        // waiting for leaders: one deleted meanwhile fails it. Forget those; if the topic was
        // created, wait for its leaders, else create it again
        await this.forgetDeletedTopics().catch(() => false);
        const exists = (await this.admin.listTopics().catch(() => [] as string[])).includes(name);
        if (exists) {
          try {
            for (let p = 0; p < partitions; p++) await this.reader.listOffset(name, p, 'latest');
            break;
          } catch {
            /* not ready yet: next attempt */
          }
        }
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
    this.partitionCounts.set(name, partitions);
    this.justCreated.set(name, Date.now() + 30_000);
  }

  /** until the brokers' metadata has a topic with a leader for each partition (gives up quietly after a while) */
  private async untilKnown(name: string): Promise<void> {
    const deadline = Date.now() + Math.min(this.settings.client.requestTimeout ?? 30_000, 15_000);
    for (let wait = 5; Date.now() < deadline && !this.state.closed; wait = Math.min(wait * 2, 200)) {
      const meta = await this.admin.fetchTopicMetadata({ topics: [name] }).catch(() => undefined);
      const ps = meta?.topics[0]?.partitions ?? [];
      if (ps.length > 0 && ps.every((p) => p.leader >= 0 && p.partitionErrorCode === 0)) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** until every partition of a new topic has a leader (the brokers learn of it moments after CreateTopics answers) */
  private async untilLeaders(name: string, partitions: number): Promise<void> {
    const timeout = this.settings.client.requestTimeout ?? 30_000;
    const deadline = Date.now() + timeout;
    for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
      const meta = await this.admin.fetchTopicMetadata({ topics: [name] }).catch(() => undefined);
      const ps = meta?.topics[0]?.partitions ?? [];
      if (ps.length === partitions && ps.every((p) => p.leader >= 0 && p.partitionErrorCode === 0)) return;
      if (Date.now() > deadline || this.state.closed) throw new LogError(`Topic ${name} has no leader for each of its ${partitions} partitions after ${timeout} ms`, 'IO', { topic: name });
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async configs(name: string): Promise<{ config: TopicConfig; overrides: Partial<TopicConfig> }> {
    const res = await this.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name, configNames: CONFIG_KEYS }] });
    const entries = res.resources[0]?.configEntries ?? [];
    const all: Record<string, string> = {};
    const set: Record<string, string> = {};
    for (const e of entries) {
      all[e.configName] = e.configValue;
      // configSource 1: DYNAMIC_TOPIC_CONFIG, a value set on this topic
      if (!e.isDefault && (e as { configSource?: number }).configSource === 1) set[e.configName] = e.configValue;
    }
    const config = { ...KAFKA_DEFAULT_TOPIC_CONFIG, ...(parseTopicConfig(all as TopicConfigInput, name) as Partial<TopicConfig>) };
    return { config, overrides: parseTopicOverrides(set as TopicConfigInput, name) };
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.check();
    // a topic another client created moments ago that some broker does not host yet (its leader
    // learns of it last, on a loaded cluster seconds later): described again while the cluster lists it
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.describeOnce(name);
      } catch (e) {
        if (Date.now() > deadline || this.state.closed) throw e;
        const cause = (e as { cause?: unknown }).cause ?? e;
        // a broker that just went down, still in the client's metadata: its partitions and the
        // brokers' answers move to the others within seconds
        if (connectionFailure(e)) {
          await this.clusters.refresh();
          await new Promise((r) => setTimeout(r, Math.min(200 * (attempt + 1), 1000)));
          continue;
        }
        const type = kafkaErrorType(e) ?? kafkaErrorType(cause) ?? '';
        // a topic created (or found existing) here moments ago that the broker asked does not list yet
        if (e instanceof LogError && e.code === 'UNKNOWN_TOPIC' && (this.justCreated.get(name) ?? 0) > Date.now()) {
          await this.clusters.refresh();
          await new Promise((r) => setTimeout(r, Math.min(100 * (attempt + 1), 1000)));
          continue;
        }
        const notYet = LEADER_MOVING.has(type) || (e instanceof LogError && e.code === 'UNKNOWN_TOPIC' && type !== '');
        if (!notYet || !(await this.admin.listTopics().catch(() => [] as string[])).includes(name)) throw e;
        await new Promise((r) => setTimeout(r, Math.min(100 * (attempt + 1), 1000)));
      }
    }
  }

  private async describeOnce(name: string): Promise<TopicDescription> {
    try {
      const meta = await this.admin.fetchTopicMetadata({ topics: [name] });
      const topic = meta.topics[0];
      if (!topic) throw new LogError(`Unknown topic ${name}`, 'UNKNOWN_TOPIC', { topic: name });
      const ids = topic.partitions.map((p) => p.partitionId).sort((a, b) => a - b);
      this.partitionCounts.set(name, ids.length);
      // offsets and configs in parallel: one round trip each instead of one after the other
      const [partitions, { config, overrides }] = await Promise.all([
        Promise.all(
          ids.map(async (partition) => {
            const [logStartOffset, highWatermark] = await Promise.all([this.reader.listOffset(name, partition, 'earliest'), this.reader.listOffset(name, partition, 'latest')]);
            return { partition, logStartOffset, highWatermark };
          }),
        ),
        this.configs(name),
      ]);
      return { name, partitions, replicationFactor: topic.partitions[0]?.replicas.length ?? 1, config, overrides };
    } catch (e) {
      // kafkajs fails on its own (reading metadata it dropped) for a topic that was just deleted
      if (!(e instanceof LogError) && !(await this.admin.listTopics().catch(() => [name])).includes(name)) throw new LogError(`Unknown topic ${name}`, 'UNKNOWN_TOPIC', { topic: name });
      throw toLogError(e, { topic: name }, `Cannot describe topic ${name}`);
    }
  }

  async listTopics(): Promise<string[]> {
    this.check();
    const topics = await this.admin.listTopics().catch((e) => {
      throw toLogError(e);
    });
    // the brokers' own topics are not the user's
    return topics.filter((t) => !t.startsWith('__')).sort();
  }

  async deleteTopic(name: string): Promise<void> {
    this.check();
    try {
      await this.admin.deleteTopics({ topics: [name] });
    } catch (e) {
      throw toLogError(e, { topic: name }, `Cannot delete topic ${name}`);
    } finally {
      this.partitionCounts.delete(name);
      this.justCreated.delete(name);
      this.clusters.forget([name]);
    }
  }

  async updateTopicConfig(name: string, config: TopicConfigInput): Promise<void> {
    this.check();
    const changes = parseTopicConfig(config, name, true);
    try {
      // kafkajs has no incremental alter: the topic's whole override set is written back
      const { overrides } = await this.configs(name);
      const next: Record<string, unknown> = { ...overrides };
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      await this.admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC_RESOURCE, name, configEntries: Object.entries(next).map(([k, v]) => ({ name: k, value: String(v) })) }],
      });
    } catch (e) {
      throw toLogError(e, { topic: name }, `Cannot update the config of topic ${name}`);
    }
  }

  // ---- produce / fetch ----

  private async partitionCount(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    try {
      const meta = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const n = meta.topics[0]?.partitions.length ?? 0;
      if (!n) throw new LogError(`Unknown topic ${topic}`, 'UNKNOWN_TOPIC', { topic });
      this.partitionCounts.set(topic, n);
      return n;
    } catch (e) {
      throw toLogError(e, { topic }, `Unknown topic ${topic}`);
    }
  }

  /** groups records by topic and partition (input order kept), choosing partitions as the embedded log does */
  private async route(records: readonly ProduceRecord[]): Promise<Map<string, { topic: string; partition: number; messages: Message[] }>> {
    const groups = new Map<string, { topic: string; partition: number; messages: Message[] }>();
    const stickyThisCall = new Map<string, number>();
    for (const r of records) {
      const n = await this.partitionCount(r.topic);
      let p = r.partition;
      if (p === undefined) {
        if (r.key) p = partitionForKey(r.key, n);
        else {
          p = stickyThisCall.get(r.topic) ?? (this.sticky.get(r.topic) ?? 0) % n;
          stickyThisCall.set(r.topic, p);
        }
      } else if (!Number.isInteger(p) || p < 0 || p >= n) {
        throw new LogError(`Topic ${r.topic} has no partition ${p} (it has ${n})`, 'INVALID_PARTITION', { topic: r.topic, partition: p });
      }
      const id = `${r.topic}\u0000${p}`;
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { topic: r.topic, partition: p, messages: [] }));
      const headers: Record<string, Buffer[]> = {};
      for (const h of r.headers ?? []) (headers[h.key] ??= []).push(h.value as Buffer);
      g.messages.push({ key: r.key, value: r.value, partition: p, timestamp: String(r.timestamp ?? Date.now()), headers });
    }
    for (const [topic, p] of stickyThisCall) this.sticky.set(topic, p + 1);
    return groups;
  }

  private async send(
    target: Producer | KafkaTransaction,
    records: readonly ProduceRecord[],
  ): Promise<ProduceResult[]> {
    if (records.length === 0) return [];
    const groups = await this.route(records);
    const byTopic = new Map<string, Message[]>();
    for (const g of groups.values()) {
      let list = byTopic.get(g.topic);
      if (!list) byTopic.set(g.topic, (list = []));
      list.push(...g.messages);
    }
    let meta;
    try {
      meta = await target.sendBatch({
        acks: -1,
        compression: this.settings.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (e) {
      const topic = (e as { topic?: string }).topic ?? (byTopic.size === 1 ? [...byTopic.keys()][0] : undefined);
      throw toLogError(e, topic ? { topic } : {}, 'Cannot write to Kafka');
    }
    // every partition acknowledged (a send that skipped one would lose its records: see kafkajs-produce-retry.ts)
    const unacknowledged = [...groups.values()].filter((g) => !meta.some((x) => x.topicName === g.topic && x.partition === g.partition));
    if (unacknowledged.length)
      throw new LogError(`Cannot write to Kafka: no acknowledgement for ${unacknowledged.map((g) => `${g.topic}-${g.partition}`).join(', ')}`, 'IO', { topic: unacknowledged[0]!.topic, partition: unacknowledged[0]!.partition });
    return [...groups.values()].map((g) => {
      const m = meta.find((x) => x.topicName === g.topic && x.partition === g.partition);
      return { topic: g.topic, partition: g.partition, baseOffset: BigInt(m?.baseOffset ?? m?.offset ?? '-1'), count: g.messages.length };
    });
  }

  async produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]> {
    this.check();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(this.producer, records);
      } catch (e) {
        if (!(e instanceof LogError) || attempt >= 10 || this.state.closed) throw e;
        const type = kafkaErrorType((e as { cause?: unknown }).cause);
        if (e.code !== 'UNKNOWN_TOPIC' && !LEADER_MOVING.has(type ?? '')) throw e;
        // a topic deleted by another client, still in the producer's metadata set, fails every send
        await this.forgetDeletedTopics().catch(() => false);
        // a topic just created that has not reached its leader yet: wait for it; a missing one fails
        const existing = new Set(await this.admin.listTopics());
        if (!records.every((r) => existing.has(r.topic))) throw e;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  /** drops topics that no longer exist from every client's metadata set; true when there were some */
  private async forgetDeletedTopics(): Promise<boolean> {
    const existing = new Set(await this.admin.listTopics());
    const gone = [...this.clusters.targets()].filter((t) => !existing.has(t));
    this.clusters.forget(gone);
    for (const t of gone) this.partitionCounts.delete(t);
    return gone.length > 0;
  }

  async fetch(topic: string, partition: number, fromOffset: bigint, options: FetchOptions = {}): Promise<FetchResult> {
    this.check();
    const maxRecords = options.maxRecords ?? 10_000;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    try {
      const raw = await this.reader.fetch(topic, partition, fromOffset, { maxBytes: Math.min(maxBytes, DEFAULT_MAX_BYTES), maxWaitMs: 0 });
      let records = raw.records;
      let nextOffset = raw.nextOffset;
      if (records.length > maxRecords) {
        records = records.slice(0, maxRecords);
        nextOffset = records[records.length - 1]!.offset + 1n;
      }
      if (maxBytes < DEFAULT_MAX_BYTES) {
        let bytes = 0;
        const kept = [];
        for (const r of records) {
          const size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
          if (kept.length > 0 && bytes + size > maxBytes) break;
          bytes += size;
          kept.push(r);
        }
        if (kept.length < records.length) {
          records = kept;
          nextOffset = kept[kept.length - 1]!.offset + 1n;
        }
      }
      return { records, nextOffset, highWatermark: raw.lastStableOffset, logStartOffset: raw.logStartOffset };
    } catch (e) {
      throw toLogError(e, { topic, partition, offset: fromOffset }, `Cannot read ${topic}-${partition} at ${fromOffset}`);
    }
  }

  async deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    this.check();
    try {
      await this.reader.deleteRecords(topic, partition, beforeOffset);
    } catch (e) {
      throw toLogError(e, { topic, partition }, `Cannot delete records of ${topic}-${partition}`);
    }
  }

  async earliestOffset(topic: string, partition: number): Promise<bigint> {
    this.check();
    return this.reader.listOffset(topic, partition, 'earliest').catch((e) => {
      throw toLogError(e, { topic, partition });
    });
  }

  async latestOffset(topic: string, partition: number): Promise<bigint> {
    this.check();
    return this.reader.listOffset(topic, partition, 'latest').catch((e) => {
      throw toLogError(e, { topic, partition });
    });
  }

  waitForData(topic: string, partition: number, offset: bigint, timeoutMs: number): Promise<boolean> {
    return this.waitForAnyData([{ topic, partition, offset }], timeoutMs);
  }

  /** long polls every position (the brokers answer as soon as one has data), resolving false on close */
  async waitForAnyData(positions: readonly TopicPartitionOffset[], timeoutMs: number): Promise<boolean> {
    if (this.state.closed || positions.length === 0) return false;
    const deadline = Date.now() + timeoutMs;
    const poll = async (): Promise<boolean> => {
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0 || this.state.closed) return false;
        try {
          // short polls: a broker answers one connection's requests in order, so a long one would hold up
          // the next. A leader not known yet or moving makes a poll end early: it is polled again
          if (await this.poller.pollAny(positions, Math.min(left, 500))) return true;
        } catch {
          // a position out of range, say: the reader's fetch will say what
          return true;
        }
      }
    };
    return Promise.race([poll(), this.state.closing.then(() => false)]);
  }

  // ---- consumer groups ----

  /** this process's members of query groups (by Kafka group name): offset commits go as that member */
  private readonly members = new Map<string, TaskGroupMember>();

  /**
   * Joins a group as a task-assigning member (see task-group-member.ts), on its own connections: a
   * JoinGroup waits at the coordinator for the other members, holding its connection meanwhile.
   */
  taskGroup(options: TaskGroupOptions): TaskGroupMember {
    this.check();
    const cluster = this.clusters.create();
    const source = {
      findGroupCoordinator: async (args: { groupId: string }) => {
        if (!cluster.isConnected()) await cluster.connect();
        return (await cluster.findGroupCoordinator(args)) as unknown as GroupCoordinator;
      },
    };
    const member = new TaskGroupMember(source, {
      ...options,
      dispose: async () => {
        if (this.members.get(options.groupId) === member) this.members.delete(options.groupId);
        await cluster.disconnect();
      },
    });
    this.members.set(options.groupId, member);
    return member;
  }

  async commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.check();
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) (byTopic.get(o.topic) ?? byTopic.set(o.topic, []).get(o.topic)!).push({ partition: o.partition, offset: o.offset.toString() });
    try {
      const member = this.members.get(group)?.current();
      await this.withCoordinator(() => this.reader.commitOffsets(group, [...byTopic].map(([topic, partitions]) => ({ topic, partitions })), member));
    } catch (e) {
      throw toLogError(e, {}, `Cannot commit offsets of group ${group}`);
    }
  }

  async committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]> {
    this.check();
    try {
      const res = await this.withCoordinator(() => this.admin.fetchOffsets(topic ? { groupId: group, topics: [topic] } : { groupId: group }));
      const out: TopicPartitionOffset[] = [];
      for (const t of res) for (const p of t.partitions) if (BigInt(p.offset) >= 0n) out.push({ topic: t.topic, partition: p.partition, offset: BigInt(p.offset) });
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    } catch (e) {
      if (kafkaErrorType(e) === 'UNKNOWN_TOPIC_OR_PARTITION') return [];
      throw toLogError(e, topic ? { topic } : {}, `Cannot read the offsets of group ${group}`);
    }
  }

  async listGroups(): Promise<string[]> {
    this.check();
    const { groups } = await this.admin.listGroups().catch((e) => {
      throw toLogError(e);
    });
    return groups.map((g) => g.groupId).sort();
  }

  async deleteGroup(group: string): Promise<void> {
    this.check();
    try {
      await this.withCoordinator(() => this.admin.deleteGroups([group]));
    } catch (e) {
      const type = kafkaErrorType(e);
      if (type === 'GROUP_ID_NOT_FOUND') return;
      throw toLogError(e, {}, `Cannot delete group ${group}`);
    }
  }

  // ---- exactly-once ----

  /** the transactional id of a group's producer: one per service and group, so a restarted process fences its predecessor */
  transactionalId(group: string): string {
    return `${this.settings.serviceId}-${group}`;
  }

  /** a task's writer is `<group>-<task>` (Kafka Streams' first exactly-once mode: a producer per task) */
  private async transactionalProducer(group: string): Promise<{ producer: Producer; queue: Promise<unknown> }> {
    let entry = this.transactional.get(group);
    if (!entry) {
      const producer = createKafkaProducer(this.kafka, { transactionalId: this.transactionalId(group), idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, transactionTimeout: 60_000 });
      entry = { producer, queue: producer.connect() };
      this.transactional.set(group, entry);
    }
    return entry;
  }

  /**
   * InitProducerId for the task's transactional id: bumps its epoch, so a previous owner's producer
   * is fenced, and aborts the transaction it left open (its records never become readable)
   */
  async fenceWriter(group: string, task: string): Promise<void> {
    this.check();
    // a fresh producer: its connect() is the InitProducerId that fences and aborts
    await this.releaseWriter(group, task);
    const entry = await this.transactionalProducer(`${group}-${task}`);
    const run = entry.queue.catch(() => {}).then(() =>
      this.withCoordinator(async () => {
        const t = await entry.producer.transaction();
        await t.abort();
      }),
    );
    entry.queue = run;
    await run.catch((e) => {
      throw toLogError(e, {}, `Cannot take over task ${task} of group ${group}`);
    });
  }

  async releaseWriter(group: string, task: string): Promise<void> {
    const key = `${group}-${task}`;
    const entry = this.transactional.get(key);
    if (!entry) return;
    this.transactional.delete(key);
    await entry.queue.catch(() => {});
    await entry.producer.disconnect().catch(() => {});
  }

  async commitTransaction(txn: Transaction): Promise<TransactionResult> {
    this.check();
    const group = txn.offsets?.group ?? '_sluice-writes';
    const key = txn.task ? `${group}-${txn.task}` : group;
    const entry = await this.transactionalProducer(key);
    // one transaction at a time per producer
    const run = entry.queue
      .catch(() => {})
      .then(() =>
        txn.task
          ? // a task's transaction is never retried whole: a failed attempt may have left its records in
            // an open transaction (abort failed too) or committed them (the answer was lost), and a
            // retry on the same producer would add to it; the producer goes and the task reopens from
            // what is committed (a new producer's InitProducerId aborts whatever is still open)
            this.runTransaction(entry.producer, txn).catch(async (e) => {
              if (this.transactional.get(key) === entry) this.transactional.delete(key);
              void entry.producer.disconnect().catch(() => {});
              // (a coordinator moving is the cluster's failure too: IO, so the task reopens)
              throw toLogError(e, {}, 'The Kafka transaction failed and was aborted');
            })
          : this.withCoordinator(() => this.runTransaction(entry.producer, txn)).catch((e: unknown) => {
              // another process took this transactional id over (it fenced this producer): the producer
              // is useless now, so the next transaction of the group starts a new one (and fences back)
              if (FENCED.has(kafkaErrorType((e as { cause?: unknown }).cause ?? e) ?? '') && this.transactional.get(key) === entry) {
                this.transactional.delete(key);
                void entry.producer.disconnect().catch(() => {});
              }
              throw e;
            }),
      );
    entry.queue = run;
    return run;
  }

  private async runTransaction(producer: Producer, txn: Transaction): Promise<TransactionResult> {
    const t = await producer.transaction();
    let stage = 'send';
    try {
      const produced = await this.send(t, txn.produce);
      stage = 'sendOffsets';
      if (txn.offsets && txn.offsets.offsets.length) {
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const o of txn.offsets.offsets) (byTopic.get(o.topic) ?? byTopic.set(o.topic, []).get(o.topic)!).push({ partition: o.partition, offset: o.offset.toString() });
        await t.sendOffsets({ consumerGroupId: txn.offsets.group, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      }
      stage = 'commit';
      await t.commit();
      stage = 'untilVisible';
      await this.untilVisible(produced);
      return { produced };
    } catch (e) {
      debugLog(`transaction of ${txn.offsets?.group ?? '-'} ${txn.task ?? ''} failed at ${stage}: ${kafkaErrorType(e) ?? ''} ${(e as Error).message} (offsets ${txn.offsets?.offsets.map((o) => `${o.topic.slice(-30)}/${o.partition}@${o.offset}`).join(',') ?? '-'})`);
      await t.abort().catch(() => {});
      // a busy coordinator is retried whole by the caller; anything else is the commit's failure
      const type = kafkaErrorType(e) ?? '';
      if (COORDINATOR_BUSY.has(type) || LEADER_MOVING.has(type)) throw e;
      throw toLogError(e, (e as LogError).context ?? {}, 'The Kafka transaction failed and was aborted');
    }
  }

  /**
   * The contract says a commit's records are readable once it returns; Kafka writes the commit
   * markers just after EndTxn answers, so wait until each partition's last stable offset is past them
   */
  private async untilVisible(produced: readonly ProduceResult[]): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (const p of produced) {
      const last = p.baseOffset + BigInt(p.count);
      while ((await this.reader.listOffset(p.topic, p.partition, 'latest')) < last && Date.now() < deadline && !this.state.closed) await new Promise((r) => setTimeout(r, 2));
    }
  }

  // ---- lifecycle ----

  async maintain(): Promise<MaintenanceReport> {
    return { batchesDeleted: 0, partitionsTruncated: 0, partitionsCompacted: 0, recordsCompacted: 0 };
  }

  async close(): Promise<void> {
    if (this.state.closed) return;
    this.state.closed = true;
    this.closeNow();
    await Promise.allSettled([...this.inflight]);
    await Promise.allSettled([...this.members.values()].map((m) => m.leave()));
    const producers = [...this.transactional.values()];
    await Promise.allSettled([
      this.admin.disconnect(),
      this.producer.disconnect(),
      this.reader.disconnect(),
      this.poller.disconnect(),
      ...producers.map(async (p) => {
        await p.queue.catch(() => {});
        await p.producer.disconnect();
      }),
    ]);
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
