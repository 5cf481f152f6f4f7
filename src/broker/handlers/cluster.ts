/** ApiVersions, Metadata, DescribeCluster: what the broker is and which topics it has. */
import { LogError } from '../../common/errors.js';
import { SERVED } from '../api-versions.js';
import { isInternalTopic, isLegalTopicName, mayWrite, topicId, topicNameOf, type RequestContext } from '../broker-context.js';
import { ErrorCode, errorCodeOf } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';

export async function apiVersions(_req: Msg, _ctx: RequestContext): Promise<Msg> {
  return apiVersionsBody(ErrorCode.NONE);
}

export function apiVersionsBody(errorCode: number): Msg {
  return {
    errorCode,
    apiKeys: [...SERVED.entries()].map(([apiKey, s]) => ({ apiKey, minVersion: s.min, maxVersion: s.max })),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

function brokers(ctx: RequestContext): Msg[] {
  const { host, port } = ctx.broker.advertised(ctx.conn);
  return [{ nodeId: ctx.broker.settings.nodeId, host, port, rack: null }];
}

/** describes a topic, creating it first when auto-creation applies; null when it does not exist */
export async function ensureTopic(ctx: RequestContext, name: string, create: boolean): Promise<Msg | 'invalid' | null> {
  const log = ctx.broker.log;
  try {
    return await log.describeTopic(name);
  } catch (e) {
    if (!(e instanceof LogError && e.code === 'UNKNOWN_TOPIC')) throw e;
  }
  if (!create || !ctx.broker.settings.autoCreateTopics) return null;
  if (!isLegalTopicName(name) || isInternalTopic(name)) return 'invalid';
  try {
    await log.createTopic(name, { partitions: ctx.broker.settings.defaultPartitions });
    await ctx.broker.audit({ action: 'create-topic', topic: name, principal: ctx.conn.principal, source: ctx.conn.remote, detail: `auto-created, ${ctx.broker.settings.defaultPartitions} partition(s)`, ok: true });
  } catch (e) {
    if (!(e instanceof LogError && e.code === 'TOPIC_EXISTS')) throw e;
  }
  return log.describeTopic(name);
}

export async function metadata(req: Msg, ctx: RequestContext): Promise<Msg> {
  const log = ctx.broker.log;
  const all = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
  const allowCreate = !all && (ctx.version < 4 || req.allowAutoTopicCreation !== false) && mayWrite(ctx);
  const topics: Msg[] = [];
  const names: string[] = [];
  if (all) names.push(...(await log.listTopics()).sort());
  else
    for (const t of req.topics as Msg[]) {
      if (t.name !== null) names.push(t.name);
      else {
        // v10+: a topic asked for by id
        const name = await topicNameOf(log, t.topicId);
        if (name === undefined) topics.push({ name: null, topicId: t.topicId, isInternal: false, topicAuthorizedOperations: -2147483648, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, partitions: [] });
        else names.push(name);
      }
    }
  for (const name of names) {
    const base = { name, topicId: topicId(name), isInternal: isInternalTopic(name), topicAuthorizedOperations: -2147483648 };
    try {
      const d = await ensureTopic(ctx, name, allowCreate);
      if (d === null || d === 'invalid') {
        topics.push({ ...base, errorCode: d === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION, partitions: [] });
        continue;
      }
      const node = ctx.broker.settings.nodeId;
      topics.push({
        ...base,
        errorCode: 0,
        partitions: (d.partitions as Msg[]).map((p) => ({ errorCode: 0, partitionIndex: p.partition, leaderId: node, leaderEpoch: 0, replicaNodes: [node], isrNodes: [node], offlineReplicas: [] })),
      });
    } catch (e) {
      topics.push({ ...base, errorCode: errorCodeOf(e), partitions: [] });
    }
  }
  return {
    throttleTimeMs: 0,
    brokers: brokers(ctx),
    clusterId: ctx.broker.settings.clusterId,
    controllerId: ctx.broker.settings.nodeId,
    topics,
    clusterAuthorizedOperations: -2147483648,
    errorCode: 0,
  };
}

export async function describeCluster(_req: Msg, ctx: RequestContext): Promise<Msg> {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: 1,
    clusterId: ctx.broker.settings.clusterId,
    controllerId: ctx.broker.settings.nodeId,
    brokers: brokers(ctx).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: null, isFenced: false })),
    clusterAuthorizedOperations: -2147483648,
  };
}
