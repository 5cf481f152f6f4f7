/**
 * The classic consumer group protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup) as Kafka's
 * GroupCoordinator runs it: members join, the coordinator waits until every known member has
 * rejoined (or the rebalance timeout drops the rest), elects a leader that computes the
 * assignment client-side (range, round-robin, cooperative-sticky: the broker never looks inside),
 * then hands each member its part at SyncGroup. Membership lives in memory; committed offsets
 * live in the log.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from './error-codes.js';
import type { Msg } from './protocol/codec.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  lastSeen: number;
  joinWaiter?: (r: Msg) => void;
  syncWaiter?: (r: Msg) => void;
  joinVersion: number;
}

class Group {
  state: GroupState = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocol: string | null = null;
  leader: string | null = null;
  readonly members = new Map<string, Member>();
  /** member ids handed out with MEMBER_ID_REQUIRED that may now join */
  readonly pending = new Set<string>();
  rebalanceTimer?: NodeJS.Timeout;
  /** an empty group's first rebalance waits out group.initial.rebalance.delay.ms */
  delayed = false;

  constructor(readonly id: string) {}
}

export interface GroupSettings {
  /** Kafka's group.initial.rebalance.delay.ms: how long an empty group waits for more members */
  readonly initialRebalanceDelayMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  /**
   * negative offsets clients committed (kafkajs does after OFFSET_OUT_OF_RANGE): Kafka stores any
   * value; the log keeps only real offsets, so these live here and OffsetFetch returns them
   * until a real commit replaces them
   */
  readonly specialOffsets = new Map<string, bigint>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly settings: GroupSettings) {
    this.sweeper = setInterval(() => this.expireMembers(), 250);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const g of this.groups.values()) {
      if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
      for (const m of g.members.values()) {
        m.joinWaiter?.(this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
        m.syncWaiter?.({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0), protocolType: null, protocolName: null });
      }
    }
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new Group(id)));
    return g;
  }

  find(id: string): { state: GroupState; generation: number; members: number } | undefined {
    const g = this.groups.get(id);
    return g && { state: g.state, generation: g.generation, members: g.members.size };
  }

  private joinError(errorCode: number, memberId: string): Msg {
    return { throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] };
  }

  join(req: Msg, version: number, clientId: string, clientHost: string): Promise<Msg> {
    const groupId: string = req.groupId;
    if (!groupId) return Promise.resolve(this.joinError(ErrorCode.INVALID_GROUP_ID, req.memberId));
    const session: number = req.sessionTimeoutMs;
    if (session < this.settings.minSessionTimeoutMs || session > this.settings.maxSessionTimeoutMs) return Promise.resolve(this.joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId));
    const g = this.group(groupId);
    if (g.state === 'Dead') return Promise.resolve(this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId));
    const protocols = (req.protocols as Msg[]).map((p) => ({ name: p.name as string, metadata: p.metadata as Buffer }));
    if (protocols.length === 0 || (g.protocolType !== null && g.members.size > 0 && req.protocolType !== g.protocolType)) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    if (g.members.size > 0 && !this.commonProtocol(g, protocols)) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    let memberId: string = req.memberId;
    const instance: string | null = req.groupInstanceId ?? null;
    if (instance !== null) {
      const existing = [...g.members.values()].find((m) => m.groupInstanceId === instance);
      if (existing && memberId === '') memberId = existing.memberId;
    }
    if (memberId === '') {
      memberId = `${clientId || 'member'}-${randomUUID()}`;
      if (version >= 4) {
        g.pending.add(memberId);
        return Promise.resolve(this.joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
    } else if (!g.members.has(memberId) && !g.pending.has(memberId)) {
      return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }
    g.pending.delete(memberId);
    const prior = g.members.get(memberId);
    const member: Member = {
      memberId,
      groupInstanceId: instance,
      clientId,
      clientHost,
      sessionTimeoutMs: session,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : session,
      protocolType: req.protocolType,
      protocols,
      assignment: prior?.assignment ?? Buffer.alloc(0),
      lastSeen: Date.now(),
      joinVersion: version,
    };
    // a rejoin while a previous join is parked replaces it
    prior?.joinWaiter?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    g.members.set(memberId, member);
    g.protocolType = req.protocolType;
    const unchanged = prior && g.state === 'Stable' && prior.protocols.length === protocols.length && prior.protocols.every((p, i) => p.name === protocols[i]!.name && p.metadata.equals(protocols[i]!.metadata));
    if (unchanged && memberId !== g.leader) {
      // Kafka answers a follower rejoining with the same metadata from the current generation
      return Promise.resolve(this.joinResponse(g, member));
    }
    const result = new Promise<Msg>((resolve) => (member.joinWaiter = resolve));
    this.prepareRebalance(g);
    this.maybeCompleteJoin(g);
    return result;
  }

  private commonProtocol(g: Group, protocols: { name: string }[]): string | undefined {
    const candidates = protocols.map((p) => p.name);
    return candidates.find((name) => [...g.members.values()].every((m) => m.protocols.some((p) => p.name === name)));
  }

  private prepareRebalance(g: Group): void {
    if (g.state === 'PreparingRebalance') return;
    const wasEmpty = g.state === 'Empty';
    // members waiting for their assignment learn they must rejoin
    for (const m of g.members.values()) {
      if (m.syncWaiter) {
        m.syncWaiter({ throttleTimeMs: 0, errorCode: ErrorCode.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
        m.syncWaiter = undefined;
      }
    }
    g.state = 'PreparingRebalance';
    const timeout = wasEmpty ? this.settings.initialRebalanceDelayMs : Math.max(...[...g.members.values()].map((m) => m.rebalanceTimeoutMs), 0);
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = setTimeout(() => this.completeJoin(g, true), timeout);
    g.rebalanceTimer.unref();
    g.delayed = wasEmpty && this.settings.initialRebalanceDelayMs > 0;
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    if (g.delayed) return;
    if ([...g.members.values()].every((m) => m.joinWaiter)) this.completeJoin(g, false);
  }

  private completeJoin(g: Group, timedOut: boolean): void {
    if (g.state !== 'PreparingRebalance') return;
    g.delayed = false;
    if (!timedOut && ![...g.members.values()].every((m) => m.joinWaiter)) return;
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = undefined;
    // members that did not rejoin in time are dropped
    for (const m of [...g.members.values()]) if (!m.joinWaiter) g.members.delete(m.memberId);
    g.generation += 1;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = null;
      g.leader = null;
      return;
    }
    const first = [...g.members.values()][0]!;
    g.protocol = this.voteProtocol(g) ?? first.protocols[0]!.name;
    if (!g.leader || !g.members.has(g.leader)) g.leader = first.memberId;
    g.state = 'CompletingRebalance';
    const now = Date.now();
    for (const m of g.members.values()) {
      const waiter = m.joinWaiter!;
      m.joinWaiter = undefined;
      m.lastSeen = now;
      waiter(this.joinResponse(g, m));
    }
  }

  private voteProtocol(g: Group): string | undefined {
    const members = [...g.members.values()];
    const common = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    let best: string | undefined;
    let bestVotes = -1;
    for (const name of common) {
      const votes = members.filter((m) => m.protocols.find((p) => common.includes(p.name))?.name === name).length;
      if (votes > bestVotes) {
        best = name;
        bestVotes = votes;
      }
    }
    return best;
  }

  private joinResponse(g: Group, m: Member): Msg {
    const isLeader = m.memberId === g.leader;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: g.generation,
      protocolType: g.protocolType,
      protocolName: g.protocol,
      leader: g.leader,
      skipAssignment: false,
      memberId: m.memberId,
      members: isLeader
        ? [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: x.protocols.find((p) => p.name === g.protocol)?.metadata ?? Buffer.alloc(0) }))
        : [],
    };
  }

  private syncResult(g: Group, errorCode: number, assignment: Buffer = Buffer.alloc(0)): Msg {
    return { throttleTimeMs: 0, errorCode, protocolType: g.protocolType, protocolName: g.protocol, assignment };
  }

  sync(req: Msg): Promise<Msg> {
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return Promise.resolve({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    if (req.generationId !== g.generation) return Promise.resolve(this.syncResult(g, ErrorCode.ILLEGAL_GENERATION));
    m.lastSeen = Date.now();
    if (g.state === 'PreparingRebalance') return Promise.resolve(this.syncResult(g, ErrorCode.REBALANCE_IN_PROGRESS));
    if (g.state === 'Stable') return Promise.resolve(this.syncResult(g, 0, m.assignment));
    const result = new Promise<Msg>((resolve) => (m.syncWaiter = resolve));
    if (m.memberId === g.leader) {
      const given = new Map<string, Buffer>((req.assignments as Msg[]).map((a) => [a.memberId as string, a.assignment as Buffer]));
      for (const x of g.members.values()) x.assignment = given.get(x.memberId) ?? Buffer.alloc(0);
      g.state = 'Stable';
      for (const x of g.members.values()) {
        if (x.syncWaiter) {
          const w = x.syncWaiter;
          x.syncWaiter = undefined;
          w(this.syncResult(g, 0, x.assignment));
        }
      }
    }
    return result;
  }

  heartbeat(req: Msg): number {
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    m.lastSeen = Date.now();
    if (g.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return 0;
  }

  leave(groupId: string, memberIds: { memberId: string; groupInstanceId: string | null }[]): number[] {
    const g = this.groups.get(groupId);
    return memberIds.map(({ memberId, groupInstanceId }) => {
      if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
      let m = g.members.get(memberId);
      if (!m && groupInstanceId !== null) m = [...g.members.values()].find((x) => x.groupInstanceId === groupInstanceId);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(g, m);
      return 0;
    });
  }

  private removeMember(g: Group, m: Member): void {
    g.members.delete(m.memberId);
    m.joinWaiter?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    m.syncWaiter?.(this.syncResult(g, ErrorCode.UNKNOWN_MEMBER_ID));
    if (g.members.size === 0 && g.state !== 'PreparingRebalance') {
      g.state = 'Empty';
      g.generation += 1;
      g.leader = null;
      g.protocol = null;
      return;
    }
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g);
  }

  private expireMembers(): void {
    const now = Date.now();
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        if (m.joinWaiter) continue;
        if (now - m.lastSeen > m.sessionTimeoutMs) this.removeMember(g, m);
      }
    }
  }

  /** OffsetCommit's check: generation -1 with no member is a standalone commit */
  validateCommit(groupId: string, generation: number, memberId: string): number {
    const g = this.groups.get(groupId);
    // as Kafka's classic groups: a standalone commit (no generation) only while the group is empty
    if (generation < 0 && (!g || g.state === 'Empty')) return ErrorCode.NONE;
    if (!g) return ErrorCode.ILLEGAL_GENERATION;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    m.lastSeen = Date.now();
    return 0;
  }

  describe(groupId: string): Msg {
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: 0, errorMessage: null, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
    return {
      errorCode: 0,
      errorMessage: null,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: g.state === 'Stable' ? (g.protocol ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? Buffer.alloc(0),
        memberAssignment: m.assignment,
      })),
      authorizedOperations: -2147483648,
    };
  }

  /** DeleteGroups: a group with members cannot go (NON_EMPTY_GROUP) */
  removeIfEmpty(id: string): number {
    const g = this.groups.get(id);
    if (g && g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    if (g) {
      if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
      this.groups.delete(id);
    }
    return 0;
  }

  list(): { groupId: string; protocolType: string; state: GroupState }[] {
    return [...this.groups.values()].filter((g) => g.state !== 'Dead').map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '', state: g.state }));
  }
}
