/** FindCoordinator, the group membership APIs, OffsetCommit/OffsetFetch, ListGroups/DescribeGroups. */
import type { TopicPartitionOffset } from '../../log/log.js';
import { mayWrite, type RequestContext } from '../broker-context.js';
import { ErrorCode, errorCodeOf } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';

function specialKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

export async function findCoordinator(req: Msg, ctx: RequestContext): Promise<Msg> {
  const { host, port } = ctx.broker.advertised(ctx.conn);
  const nodeId = ctx.broker.settings.nodeId;
  const keys: string[] = ctx.version >= 4 ? req.coordinatorKeys : [req.key];
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId,
    host,
    port,
    coordinators: keys.map((key) => ({ key, nodeId, host, port, errorCode: 0, errorMessage: null })),
  };
}

export function joinGroup(req: Msg, ctx: RequestContext): Promise<Msg> {
  return ctx.broker.groups.join(req, ctx.version, ctx.clientId ?? '', `/${ctx.conn.remote}`);
}

export function syncGroup(req: Msg, ctx: RequestContext): Promise<Msg> {
  return ctx.broker.groups.sync(req);
}

export async function heartbeat(req: Msg, ctx: RequestContext): Promise<Msg> {
  return { throttleTimeMs: 0, errorCode: ctx.broker.groups.heartbeat(req) };
}

export async function leaveGroup(req: Msg, ctx: RequestContext): Promise<Msg> {
  const members: { memberId: string; groupInstanceId: string | null }[] = ctx.version >= 3 ? (req.members as Msg[]).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })) : [{ memberId: req.memberId, groupInstanceId: null }];
  const codes = ctx.broker.groups.leave(req.groupId, members);
  const errorCode = ctx.version >= 3 ? 0 : codes[0]!;
  return { throttleTimeMs: 0, errorCode, members: members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i] })) };
}

export async function offsetCommit(req: Msg, ctx: RequestContext): Promise<Msg> {
  const check = ctx.broker.groups.validateCommit(req.groupId, ctx.version >= 1 ? req.generationIdOrMemberEpoch : -1, ctx.version >= 1 ? req.memberId : '');
  const topics = req.topics as Msg[];
  let code = check;
  if (!req.groupId) code = ErrorCode.INVALID_GROUP_ID;
  if (code === 0) {
    const all: TopicPartitionOffset[] = topics.flatMap((t) => (t.partitions as Msg[]).map((p) => ({ topic: t.name as string, partition: p.partitionIndex as number, offset: p.committedOffset as bigint })));
    const special = ctx.broker.groups.specialOffsets;
    const offsets = all.filter((o) => o.offset >= 0n);
    try {
      await ctx.broker.log.commitOffsets(req.groupId, offsets);
      for (const o of all) {
        const key = specialKey(req.groupId, o.topic, o.partition);
        if (o.offset < 0n) special.set(key, o.offset);
        else special.delete(key);
      }
    } catch (e) {
      code = errorCodeOf(e);
    }
  }
  return { throttleTimeMs: 0, topics: topics.map((t) => ({ name: t.name, partitions: (t.partitions as Msg[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })) };
}

async function fetchGroupOffsets(ctx: RequestContext, groupId: string, topics: Msg[] | null): Promise<{ topics: Msg[]; errorCode: number }> {
  try {
    const committed = await ctx.broker.log.committedOffsets(groupId);
    const special = ctx.broker.groups.specialOffsets;
    for (const c of committed) c.offset = special.get(specialKey(groupId, c.topic, c.partition)) ?? c.offset;
    const part = (p: number, off: bigint | undefined): Msg => ({ partitionIndex: p, committedOffset: off ?? -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 });
    if (topics === null) {
      const byTopic = new Map<string, Msg[]>();
      for (const c of committed) {
        let l = byTopic.get(c.topic);
        if (!l) byTopic.set(c.topic, (l = []));
        l.push(part(c.partition, c.offset));
      }
      return { errorCode: 0, topics: [...byTopic.entries()].map(([name, partitions]) => ({ name, partitions })) };
    }
    return {
      errorCode: 0,
      topics: topics.map((t) => ({ name: t.name, partitions: (t.partitionIndexes as number[]).map((p) => part(p, special.get(specialKey(groupId, t.name, p)) ?? committed.find((c) => c.topic === t.name && c.partition === p)?.offset)) })),
    };
  } catch (e) {
    return { errorCode: errorCodeOf(e), topics: [] };
  }
}

export async function offsetFetch(req: Msg, ctx: RequestContext): Promise<Msg> {
  if (ctx.version >= 8) {
    const groups = await Promise.all((req.groups as Msg[]).map(async (g) => ({ groupId: g.groupId, ...(await fetchGroupOffsets(ctx, g.groupId, g.topics)) })));
    return { throttleTimeMs: 0, groups };
  }
  const r = await fetchGroupOffsets(ctx, req.groupId, req.topics);
  return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode };
}

export async function listGroups(req: Msg, ctx: RequestContext): Promise<Msg> {
  const live = ctx.broker.groups.list();
  const known = new Set(live.map((g) => g.groupId));
  const all = [...live];
  // groups that only have committed offsets (including Sluice queries' own) are Empty
  for (const id of await ctx.broker.log.listGroups()) if (!known.has(id)) all.push({ groupId: id, protocolType: 'consumer', state: 'Empty' });
  const states: string[] = req.statesFilter ?? [];
  const types: string[] = req.typesFilter ?? [];
  const wanted = all.filter((g) => (states.length === 0 || states.some((s) => s.toLowerCase() === g.state.toLowerCase())) && (types.length === 0 || types.some((t) => t.toLowerCase() === 'classic')));
  return { throttleTimeMs: 0, errorCode: 0, groups: wanted.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: 'classic' })) };
}

export async function deleteGroups(req: Msg, ctx: RequestContext): Promise<Msg> {
  const committed = new Set(await ctx.broker.log.listGroups());
  const results: Msg[] = [];
  for (const groupId of req.groupsNames as string[]) {
    if (!mayWrite(ctx)) {
      results.push({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
      continue;
    }
    if (!committed.has(groupId) && !ctx.broker.groups.find(groupId)) {
      results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
      continue;
    }
    let errorCode = ctx.broker.groups.removeIfEmpty(groupId);
    if (errorCode === 0 && committed.has(groupId)) {
      try {
        await ctx.broker.log.deleteGroup(groupId);
      } catch (e) {
        errorCode = errorCodeOf(e);
      }
    }
    results.push({ groupId, errorCode });
  }
  return { throttleTimeMs: 0, results };
}

export async function describeGroups(req: Msg, ctx: RequestContext): Promise<Msg> {
  const committed = new Set(await ctx.broker.log.listGroups());
  return {
    throttleTimeMs: 0,
    groups: (req.groups as string[]).map((id) => {
      const d = ctx.broker.groups.describe(id);
      if (d.groupState === 'Dead' && committed.has(id)) return { ...d, groupState: 'Empty', protocolType: 'consumer' };
      return d;
    }),
  };
}
