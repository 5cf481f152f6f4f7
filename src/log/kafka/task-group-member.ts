/**
 * One process's membership of a persistent query's consumer group, through Kafka's classic group
 * protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) with Sluice's own assignor, as Kafka
 * Streams' StreamsPartitionAssignor does: the group leader hands out the query's tasks (partition
 * groups of its sub-topologies) rather than partitions.
 *
 * - Protocol type `consumer`, protocol `sluice-tasks`; the member metadata's user data (JSON) says
 *   which tasks the process knows, which it ran in the last generation and its REST endpoint; the
 *   assignment's user data lists the member's tasks and every task's owner endpoint.
 * - The assignment is sticky and balanced: a task stays with its last owner while that owner has
 *   fewer than ceil(tasks / members); the rest go to the least loaded members.
 * - Eager rebalancing: when a heartbeat says the group rebalances (a process joined, left or was
 *   declared dead after session.timeout.ms), `stale` turns true; the runtime commits and closes its
 *   tasks, then calls rejoin().
 * - `current()` gives the member id and generation for offset commits (a group with members
 *   refuses commits from outside it), so a member that was kicked out cannot commit either.
 * - Standby replicas (num.standby.replicas, the leader's setting): each task also goes to that many
 *   other members as a standby, which keeps the task's stores warm from their changelogs, so the
 *   task restores only a short tail when it moves there. Standbys stay where they were if they can.
 */
import { AssignerProtocol } from 'kafkajs';
import { debugLog } from '../../common/debug-log.js';
import { kafkaErrorType } from './kafka-errors.js';

/** what the group member needs of kafkajs's cluster (see partition-reader.ts) */
export interface GroupCoordinatorSource {
  findGroupCoordinator(args: { groupId: string }): Promise<GroupCoordinator>;
}

export interface GroupCoordinator {
  joinGroup(request: object): Promise<{ generationId: number; leaderId: string; memberId: string; members: { memberId: string; memberMetadata: Buffer }[] }>;
  syncGroup(request: object): Promise<{ memberAssignment: Buffer }>;
  heartbeat(request: object): Promise<unknown>;
  leaveGroup(request: object): Promise<unknown>;
}

export interface TaskGroupOptions {
  /** the group's Kafka name */
  readonly groupId: string;
  /** session.timeout.ms: a member silent this long is dead and its tasks move (default 10 000) */
  readonly sessionTimeoutMs?: number;
  /** how long the coordinator waits for every member to rejoin (default 30 000) */
  readonly rebalanceTimeoutMs?: number;
  /** heartbeat.interval.ms (default a third of the session timeout, at most 1000) */
  readonly heartbeatIntervalMs?: number;
  /** this process's REST address, advertised to the others (pull-query forwarding) */
  readonly endpoint?: string;
  /** num.standby.replicas: warm copies of each task on other members (when this member leads) */
  readonly standbyReplicas?: number;
  /** called once the member has left (its connections can close) */
  readonly dispose?: () => Promise<void>;
}

export interface TaskAssignmentView {
  readonly generation: number;
  /** the tasks this process runs */
  readonly tasks: ReadonlySet<string>;
  /** the tasks whose stores this process keeps warm (standby replicas) */
  readonly standbys: ReadonlySet<string>;
  /** every task's owner endpoint (when the owner advertised one) */
  readonly owners: Readonly<Record<string, string>>;
}

export interface MemberData {
  readonly tasks: readonly string[];
  readonly owned: readonly string[];
  /** the standby tasks it kept warm in the last generation */
  readonly standbys?: readonly string[];
  readonly endpoint?: string;
}

const PROTOCOL = 'sluice-tasks';

/** The leader's assignment: sticky (a task stays with its last owner within capacity), then least loaded. */
export function assignTasks(members: readonly { memberId: string; data: MemberData }[]): Map<string, string[]> {
  const tasks = [...new Set(members.flatMap((m) => m.data.tasks))].sort(compareTaskIds);
  const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const out = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
  if (sorted.length === 0) return out;
  const capacity = Math.ceil(tasks.length / sorted.length);
  const known = new Set(tasks);
  const taken = new Set<string>();
  for (const m of sorted)
    for (const t of [...m.data.owned].sort(compareTaskIds)) {
      const mine = out.get(m.memberId)!;
      if (!known.has(t) || taken.has(t) || mine.length >= capacity) continue;
      mine.push(t);
      taken.add(t);
    }
  for (const t of tasks) {
    if (taken.has(t)) continue;
    let best = sorted[0]!;
    for (const m of sorted) if (out.get(m.memberId)!.length < out.get(best.memberId)!.length) best = m;
    out.get(best.memberId)!.push(t);
    taken.add(t);
  }
  return out;
}

/**
 * Standby placement: each task on `replicas` members other than its active owner (fewer when
 * there are not enough members), first those that kept it warm or ran it before, then the least loaded.
 */
export function assignStandbys(
  members: readonly { memberId: string; data: MemberData }[],
  active: ReadonlyMap<string, readonly string[]>,
  replicas: number,
): Map<string, string[]> {
  const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const out = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
  if (replicas <= 0 || sorted.length < 2) return out;
  const ownerOf = new Map<string, string>();
  for (const [member, tasks] of active) for (const t of tasks) ownerOf.set(t, member);
  const load = (id: string) => (active.get(id)?.length ?? 0) + out.get(id)!.length;
  for (const t of [...ownerOf.keys()].sort(compareTaskIds)) {
    const candidates = sorted.filter((m) => m.memberId !== ownerOf.get(t));
    const warm = (m: { data: MemberData }) => (m.data.standbys?.includes(t) || m.data.owned.includes(t) ? 0 : 1);
    candidates.sort((a, b) => warm(a) - warm(b) || load(a.memberId) - load(b.memberId) || a.memberId.localeCompare(b.memberId));
    for (const m of candidates.slice(0, replicas)) out.get(m.memberId)!.push(t);
  }
  return out;
}

/** `<subtopology>_<partition>` in numeric order */
function compareTaskIds(a: string, b: string): number {
  const [as, ap] = a.split('_').map(Number);
  const [bs, bp] = b.split('_').map(Number);
  return as! - bs! || ap! - bp! || a.localeCompare(b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TaskGroupMember {
  private memberId = '';
  private generation = -1;
  private assignment: TaskAssignmentView | undefined;
  private joining: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastHeartbeat = 0;
  private closed = false;
  /** the group rebalances (or this member was dropped): revoke the tasks and rejoin */
  stale = true;

  constructor(
    private readonly cluster: GroupCoordinatorSource,
    private readonly options: TaskGroupOptions,
  ) {}

  private get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? 10_000;
  }

  /** the tasks of the current generation; undefined while joining or after the group moved on */
  assigned(): TaskAssignmentView | undefined {
    return this.stale ? undefined : this.assignment;
  }

  /** member id and generation for offset commits; undefined outside a generation */
  current(): { memberId: string; generationId: number } | undefined {
    return this.memberId && this.generation >= 0 ? { memberId: this.memberId, generationId: this.generation } : undefined;
  }

  /** whether a join is under way */
  get isJoining(): boolean {
    return this.joining !== undefined;
  }

  /**
   * Joins (again) in the background, offering every task the process knows and asking to keep
   * those it owned; assigned() answers once the group has synced.
   */
  rejoin(tasks: readonly string[], owned: readonly string[], standbys: readonly string[] = []): void {
    if (this.closed || this.joining) return;
    this.stopHeartbeat();
    this.stale = true;
    this.joining = this.join({ tasks, owned, standbys, ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}) }).finally(() => {
      this.joining = undefined;
    });
  }

  private async join(data: MemberData): Promise<void> {
    const { groupId } = this.options;
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const coordinator = await this.cluster.findGroupCoordinator({ groupId });
        const metadata = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: [], userData: Buffer.from(JSON.stringify(data)) });
        const joined = await coordinator.joinGroup({
          groupId,
          sessionTimeout: this.sessionTimeoutMs,
          rebalanceTimeout: this.options.rebalanceTimeoutMs ?? 30_000,
          memberId: this.memberId,
          protocolType: 'consumer',
          groupProtocols: [{ name: PROTOCOL, metadata }],
        });
        this.memberId = joined.memberId;
        this.generation = joined.generationId;
        let groupAssignment: { memberId: string; memberAssignment: Buffer }[] = [];
        if (joined.leaderId === joined.memberId) {
          const members = joined.members.map((m) => ({ memberId: m.memberId, data: decodeMemberData(m.memberMetadata) }));
          const plan = assignTasks(members);
          const standbys = assignStandbys(members, plan, this.options.standbyReplicas ?? 0);
          const owners: Record<string, string> = {};
          for (const m of members) for (const t of plan.get(m.memberId) ?? []) if (m.data.endpoint) owners[t] = m.data.endpoint;
          groupAssignment = members.map((m) => ({
            memberId: m.memberId,
            memberAssignment: AssignerProtocol.MemberAssignment.encode({
              version: 1,
              assignment: {},
              userData: Buffer.from(JSON.stringify({ tasks: plan.get(m.memberId) ?? [], standbys: standbys.get(m.memberId) ?? [], owners })),
            }),
          }));
        }
        const synced = await coordinator.syncGroup({ groupId, generationId: this.generation, memberId: this.memberId, groupAssignment });
        const decoded = synced.memberAssignment?.length ? AssignerProtocol.MemberAssignment.decode(synced.memberAssignment) : null;
        const user = decoded?.userData?.length ? (JSON.parse(decoded.userData.toString('utf8')) as { tasks: string[]; standbys?: string[]; owners: Record<string, string> }) : { tasks: [], owners: {} };
        this.assignment = { generation: this.generation, tasks: new Set(user.tasks), standbys: new Set(user.standbys ?? []), owners: user.owners };
        this.stale = false;
        this.startHeartbeat();
        return;
      } catch (e) {
        const type = kafkaErrorType(e);
        debugLog(`${groupId} join attempt ${attempt} failed: ${type ?? (e as Error).message}`);
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        // REBALANCE_IN_PROGRESS (another join round), ILLEGAL_GENERATION, a coordinator moving or loading: again
        await sleep(Math.min(50 * (attempt + 1), 1000));
      }
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.lastHeartbeat = Date.now();
    const every = this.options.heartbeatIntervalMs ?? Math.min(1000, Math.floor(this.sessionTimeoutMs / 3));
    let inFlight = false;
    this.heartbeat = setInterval(() => {
      if (inFlight || this.closed) return;
      inFlight = true;
      void this.beat().finally(() => (inFlight = false));
    }, every);
    this.heartbeat.unref();
  }

  private async beat(): Promise<void> {
    const { groupId } = this.options;
    try {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId });
      await coordinator.heartbeat({ groupId, groupGenerationId: this.generation, memberId: this.memberId });
      this.lastHeartbeat = Date.now();
    } catch (e) {
      const type = kafkaErrorType(e);
      debugLog(`${groupId} heartbeat failed: ${type ?? (e as Error).message}`);
      if (type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') {
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        this.stale = true;
        this.stopHeartbeat();
      } else if (Date.now() - this.lastHeartbeat > this.sessionTimeoutMs) {
        // silent past the session timeout: the coordinator has dropped this member
        this.stale = true;
        this.stopHeartbeat();
      }
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** leaves the group so its tasks move at once (not after the session timeout); idempotent */
  leave(): Promise<void> {
    this.leaving ??= this.leaveNow();
    return this.leaving;
  }

  private leaving: Promise<void> | undefined;

  private async leaveNow(): Promise<void> {
    this.closed = true;
    this.stopHeartbeat();
    // (a join in flight ends at its next step; its JoinGroup may wait for the other members)
    try {
      if (this.memberId) {
        const coordinator = await this.cluster.findGroupCoordinator({ groupId: this.options.groupId });
        await Promise.race([coordinator.leaveGroup({ groupId: this.options.groupId, memberId: this.memberId }), sleep(5000)]);
      }
    } catch {
      // the session timeout removes it instead
    }
    this.memberId = '';
    await this.options.dispose?.().catch(() => {});
  }
}

function decodeMemberData(metadata: Buffer): MemberData {
  try {
    const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
    const data = JSON.parse(decoded?.userData?.toString('utf8') ?? '{}') as Partial<MemberData>;
    return { tasks: data.tasks ?? [], owned: data.owned ?? [], standbys: data.standbys ?? [], ...(data.endpoint ? { endpoint: data.endpoint } : {}) };
  } catch {
    // a member that is not Sluice (a console consumer in the group by mistake) gets no tasks
    return { tasks: [], owned: [] };
  }
}
