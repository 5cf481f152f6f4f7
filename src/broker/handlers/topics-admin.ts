/**
 * Topic administration: CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords and topic
 * configs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs). Every change is audited.
 */
import { LogError } from '../../common/errors.js';
import type { TopicConfig, TopicConfigInput } from '../../log/log.js';
import { isInternalTopic, isLegalTopicName, mayWrite, topicId, type RequestContext } from '../broker-context.js';
import { ErrorCode, errorCodeOf, errorMessageOf } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';

const TOPIC_RESOURCE = 2;
const INTERNAL = (name: string) => `${name} is one of Sluice's internal topics: clients may read it, not change it`;
const BROKER_RESOURCE = 4;
const CONFIG_KEYS: (keyof TopicConfig)[] = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'delete.retention.ms', 'min.cleanable.dirty.ratio', 'max.message.bytes'];

function configInput(configs: Msg[], ctxName: string): TopicConfigInput {
  const out: Record<string, string | null> = {};
  for (const c of configs) {
    if (!(CONFIG_KEYS as string[]).includes(c.name)) throw new LogError(`topic ${ctxName}: config ${c.name} is not supported by the embedded log (supported: ${CONFIG_KEYS.join(', ')})`, 'INVALID_CONFIG');
    out[c.name] = c.value;
  }
  return out as TopicConfigInput;
}

export async function createTopics(req: Msg, ctx: RequestContext): Promise<Msg> {
  const log = ctx.broker.log;
  const topics: Msg[] = [];
  for (const t of req.topics as Msg[]) {
    const name: string = t.name;
    const partitions: number = t.numPartitions === -1 ? ctx.broker.settings.defaultPartitions : t.numPartitions;
    const base = { name, topicId: topicId(name), errorMessage: null as string | null, topicConfigErrorCode: 0, numPartitions: partitions, replicationFactor: 1, configs: [] as Msg[] };
    if (!mayWrite(ctx)) {
      topics.push({ ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `${ctx.conn.principal} is read-only` });
      continue;
    }
    if (!isLegalTopicName(name) || isInternalTopic(name)) {
      topics.push({ ...base, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: isInternalTopic(name) ? `${name}: names starting with _sluice, __ or _schemas are Sluice's own` : `topic name ${JSON.stringify(name)} is illegal` });
      continue;
    }
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      topics.push({ ...base, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'the embedded broker has one node: replication factor must be 1' });
      continue;
    }
    if (partitions < 1) {
      topics.push({ ...base, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'number of partitions must be at least 1' });
      continue;
    }
    try {
      const config = configInput(t.configs, name);
      if (req.validateOnly) {
        if ((await log.listTopics()).includes(name)) throw new LogError(`topic ${name} already exists`, 'TOPIC_EXISTS');
      } else {
        await log.createTopic(name, { partitions, replicationFactor: 1, config });
        await ctx.broker.audit({ action: 'create-topic', topic: name, principal: ctx.conn.principal, source: ctx.conn.remote, detail: `${partitions} partition(s)`, ok: true });
      }
      topics.push({ ...base, errorCode: 0 });
    } catch (e) {
      topics.push({ ...base, errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e) });
    }
  }
  return { throttleTimeMs: 0, topics };
}

export async function deleteTopics(req: Msg, ctx: RequestContext): Promise<Msg> {
  const names: string[] = ctx.version >= 6 ? (req.topics as Msg[]).map((t) => t.name) : req.topicNames;
  const responses: Msg[] = [];
  for (const name of names) {
    if (!mayWrite(ctx)) {
      responses.push({ name, topicId: topicId(name), errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `${ctx.conn.principal} is read-only` });
      continue;
    }
    if (isInternalTopic(name)) {
      responses.push({ name, topicId: topicId(name), errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: INTERNAL(name) });
      continue;
    }
    try {
      await ctx.broker.log.deleteTopic(name);
      await ctx.broker.audit({ action: 'delete-topic', topic: name, principal: ctx.conn.principal, source: ctx.conn.remote, detail: '', ok: true });
      responses.push({ name, topicId: topicId(name), errorCode: 0, errorMessage: null });
    } catch (e) {
      responses.push({ name, topicId: topicId(name), errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e) });
    }
  }
  return { throttleTimeMs: 0, responses };
}

export async function createPartitions(req: Msg, ctx: RequestContext): Promise<Msg> {
  const log = ctx.broker.log;
  const results: Msg[] = [];
  for (const t of req.topics as Msg[]) {
    if (!mayWrite(ctx)) {
      results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `${ctx.conn.principal} is read-only` });
      continue;
    }
    if (isInternalTopic(t.name)) {
      results.push({ name: t.name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: INTERNAL(t.name) });
      continue;
    }
    try {
      const d = await log.describeTopic(t.name);
      const have = d.partitions.length;
      if (t.count <= have) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `topic ${t.name} already has ${have} partition(s); the count can only grow` });
        continue;
      }
      if (!log.addPartitions) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'this log cannot add partitions' });
        continue;
      }
      if (!req.validateOnly) {
        await log.addPartitions(t.name, t.count);
        await ctx.broker.audit({ action: 'create-partitions', topic: t.name, principal: ctx.conn.principal, source: ctx.conn.remote, detail: `${have} -> ${t.count}`, ok: true });
      }
      results.push({ name: t.name, errorCode: 0, errorMessage: null });
    } catch (e) {
      results.push({ name: t.name, errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e) });
    }
  }
  return { throttleTimeMs: 0, results };
}

export async function deleteRecords(req: Msg, ctx: RequestContext): Promise<Msg> {
  const log = ctx.broker.log;
  const topics: Msg[] = [];
  for (const t of req.topics as Msg[]) {
    const partitions: Msg[] = [];
    for (const p of t.partitions as Msg[]) {
      if (!mayWrite(ctx)) {
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
        continue;
      }
      if (isInternalTopic(t.name)) {
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
        continue;
      }
      try {
        const hwm = await log.latestOffset(t.name, p.partitionIndex);
        const before: bigint = p.offset === -1n ? hwm : p.offset;
        if (before > hwm || before < 0n) {
          partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
          continue;
        }
        await log.deleteRecords(t.name, p.partitionIndex, before);
        await ctx.broker.audit({ action: 'delete-records', topic: t.name, principal: ctx.conn.principal, source: ctx.conn.remote, detail: `partition ${p.partitionIndex} before offset ${before}`, ok: true });
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: await log.earliestOffset(t.name, p.partitionIndex), errorCode: 0 });
      } catch (e) {
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: errorCodeOf(e) });
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

export async function describeConfigs(req: Msg, ctx: RequestContext): Promise<Msg> {
  const results: Msg[] = [];
  for (const r of req.resources as Msg[]) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null as string | null };
    if (r.resourceType === BROKER_RESOURCE) {
      const s = ctx.broker.settings;
      const entries: [string, string][] = [
        ['auto.create.topics.enable', String(s.autoCreateTopics)],
        ['num.partitions', String(s.defaultPartitions)],
        ['socket.request.max.bytes', String(s.maxRequestBytes)],
        ['broker.id', String(s.nodeId)],
      ];
      const keys: string[] | null = r.configurationKeys;
      results.push({ ...base, errorCode: 0, configs: entries.filter(([k]) => !keys || keys.includes(k)).map(([name, value]) => ({ name, value, readOnly: true, configSource: 4, isSensitive: false, synonyms: [], configType: 0, documentation: null })) });
      continue;
    }
    if (r.resourceType !== TOPIC_RESOURCE) {
      results.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${r.resourceType} is not supported`, configs: [] });
      continue;
    }
    try {
      const d = await ctx.broker.log.describeTopic(r.resourceName);
      const keys: string[] | null = r.configurationKeys;
      const configs = CONFIG_KEYS.filter((k) => !keys || keys.includes(k)).map((k) => {
        const overridden = d.overrides[k] !== undefined;
        return { name: k, value: String(d.config[k]), readOnly: false, configSource: overridden ? DYNAMIC_TOPIC_CONFIG : DEFAULT_CONFIG, isSensitive: false, synonyms: [], configType: 0, documentation: null };
      });
      results.push({ ...base, errorCode: 0, configs });
    } catch (e) {
      results.push({ ...base, errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e), configs: [] });
    }
  }
  return { throttleTimeMs: 0, results };
}

async function alter(ctx: RequestContext, r: Msg, validateOnly: boolean, incremental: boolean): Promise<Msg> {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  if (r.resourceType !== TOPIC_RESOURCE) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'only topic configs can be altered' };
  if (!mayWrite(ctx)) return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `${ctx.conn.principal} is read-only` };
  if (isInternalTopic(r.resourceName)) return { ...base, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: INTERNAL(r.resourceName) };
  const log = ctx.broker.log;
  try {
    const d = await log.describeTopic(r.resourceName);
    let input: TopicConfigInput;
    if (incremental) {
      const out: Record<string, string | null> = {};
      for (const c of r.configs as Msg[]) {
        if (!(CONFIG_KEYS as string[]).includes(c.name)) throw new LogError(`config ${c.name} is not supported by the embedded log`, 'INVALID_CONFIG');
        if (c.configOperation === 0) out[c.name] = c.value;
        else if (c.configOperation === 1) out[c.name] = null;
        else throw new LogError(`config operation ${c.configOperation} does not apply to ${c.name}`, 'INVALID_CONFIG');
      }
      input = out as TopicConfigInput;
    } else {
      // AlterConfigs replaces the whole set of overrides
      const out: Record<string, string | null> = {};
      for (const k of Object.keys(d.overrides)) out[k] = null;
      Object.assign(out, configInput(r.configs, r.resourceName));
      input = out as TopicConfigInput;
    }
    if (!validateOnly) {
      await log.updateTopicConfig(r.resourceName, input);
      await ctx.broker.audit({ action: 'alter-config', topic: r.resourceName, principal: ctx.conn.principal, source: ctx.conn.remote, detail: JSON.stringify(input), ok: true });
    }
    return { ...base, errorCode: 0, errorMessage: null };
  } catch (e) {
    return { ...base, errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e) };
  }
}

export async function alterConfigs(req: Msg, ctx: RequestContext): Promise<Msg> {
  const responses: Msg[] = [];
  for (const r of req.resources as Msg[]) responses.push(await alter(ctx, r, req.validateOnly, false));
  return { throttleTimeMs: 0, responses };
}

export async function incrementalAlterConfigs(req: Msg, ctx: RequestContext): Promise<Msg> {
  const responses: Msg[] = [];
  for (const r of req.resources as Msg[]) responses.push(await alter(ctx, r, req.validateOnly, true));
  return { throttleTimeMs: 0, responses };
}
