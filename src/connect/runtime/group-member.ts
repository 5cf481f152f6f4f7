/**
 * A worker's membership in its Connect cluster: the classic group protocol (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup) with the group coordinator of the Kafka cluster the engine runs on, in the
 * group named by `group.id`, as Kafka Connect's WorkerGroupMember does. Eager rebalancing: before
 * rejoining, the member gives up everything it runs (onRevoke); the elected leader computes every
 * member's assignment (assign); each member then starts what it got (onAssign).
 *
 * kafkajs's public consumer joins groups only as a consumer of topics (protocol type `consumer`), so
 * this drives the coordinator through kafkajs's broker objects, as partition-reader.ts does for
 * reads: same connection settings (TLS, SASL), no wire protocol by hand.
 *
 * A member that cannot heartbeat for a whole session timeout revokes what it runs: the coordinator
 * has given it to another member by then, and two workers must never run the same task.
 */
import { Kafka, logLevel } from 'kafkajs';
import { KafkaClusters } from '../../log/kafka/partition-reader.js';
import { kafkaSettings } from '../../log/kafka/kafka-client-config.js';
import { CONNECT_PROTOCOL_TYPE, EAGER_PROTOCOL } from './connect-protocol.js';

interface CoordinatorBroker {
  joinGroup(r: object): Promise<{ generationId: number; leaderId: string; memberId: string; members: { memberId: string; memberMetadata: Buffer }[] }>;
  syncGroup(r: object): Promise<{ memberAssignment: Buffer }>;
  heartbeat(r: object): Promise<unknown>;
  leaveGroup(r: object): Promise<unknown>;
}

interface GroupCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(args: { groupId: string }): Promise<CoordinatorBroker>;
}

export interface GroupMemberOptions {
  /** Kafka client properties (bootstrap.servers, security.protocol, ...) */
  readonly kafka: Readonly<Record<string, string>>;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** this member's protocol metadata, asked for at each join */
  readonly metadata: () => Promise<Buffer>;
  /** leader only: every member's assignment, from the members' metadata */
  readonly assign: (members: readonly { memberId: string; metadata: Buffer }[], self: string, generation: number) => Promise<Map<string, Buffer>>;
  readonly onAssign: (assignment: Buffer, generation: number, memberId: string) => Promise<void>;
  readonly onRevoke: () => Promise<void>;
  readonly logLine: (line: string) => void;
}

const errorType = (e: unknown): string => (e as { type?: string })?.type ?? '';
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS']);

export class GroupMember {
  private readonly cluster: GroupCluster;
  private memberId = '';
  private generation = -1;
  private closed = false;
  private rejoin = true;
  private holding = false;
  /** from revoking until the new assignment is in hand: a heartbeat's REBALANCE_IN_PROGRESS is this rebalance */
  private rebalancing = false;
  /** a JoinGroup or SyncGroup request is out: no heartbeat meanwhile */
  private inJoin = false;
  private lastHeartbeat = Date.now();
  /** the last assignment being started (the worker's queue orders it before any later revoke) */
  private assigning: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private wakeHeartbeat: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private heartbeatLoop: Promise<void> | undefined;
  /** whether the member holds an assignment of the current generation */
  stable = false;

  constructor(private readonly options: GroupMemberOptions) {
    const settings = kafkaSettings(options.kafka);
    const kafka = new Kafka({ ...settings.client, clientId: `${settings.client.clientId ?? 'sluice'}-connect`, logLevel: logLevel.NOTHING });
    this.cluster = new KafkaClusters(kafka).create() as unknown as GroupCluster;
  }

  get id(): string {
    return this.memberId;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  start(): void {
    this.loop ??= this.run();
    this.heartbeatLoop ??= this.heartbeats();
  }

  /** rejoin the group (a config change the assignment must follow) */
  requestRejoin(): void {
    this.rejoin = true;
    this.wake?.();
  }

  private sleep(ms: number, which: 'wake' | 'wakeHeartbeat' = 'wake'): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this[which] = done;
    });
  }

  private async revoke(): Promise<void> {
    this.stable = false;
    if (!this.holding) return;
    this.holding = false;
    await this.assigning;
    await this.options.onRevoke();
  }

  /** joins (again) whenever asked to; what it was given starts in the background */
  private async run(): Promise<void> {
    const o = this.options;
    let failures = 0;
    while (!this.closed) {
      if (!this.rejoin) {
        await this.sleep(o.heartbeatIntervalMs);
        continue;
      }
      this.rejoin = false;
      this.rebalancing = true;
      try {
        // heartbeats go on while tasks stop (sinks commit), as Connect's heartbeat thread does
        await this.revoke();
        if (this.closed) break;
        await this.joinAndSync();
        failures = 0;
      } catch (e) {
        if (this.closed) break;
        this.rejoin = true;
        const type = errorType(e);
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        if (REJOIN.has(type)) continue;
        failures++;
        if (!COORDINATOR_MOVED.has(type) && failures <= 3) o.logLine(`Connect group ${o.groupId}: ${e instanceof Error ? e.message : String(e)}`);
        await this.sleep(Math.min(200 * failures, 2000));
      } finally {
        this.rebalancing = false;
      }
    }
  }

  /**
   * Heartbeats every heartbeat.interval.ms, apart from the join and sync requests: a rebalance the
   * coordinator started makes the member rejoin; no answer for a whole session timeout means the
   * coordinator has dropped this member and handed its work on, so it stops what it runs (two
   * workers must never run the same task) and joins afresh.
   */
  private async heartbeats(): Promise<void> {
    const o = this.options;
    let failures = 0;
    while (!this.closed) {
      await this.sleep(o.heartbeatIntervalMs, 'wakeHeartbeat');
      if (this.closed) break;
      if (this.inJoin || !this.memberId || this.generation < 0) continue;
      try {
        const coordinator = await this.cluster.findGroupCoordinator({ groupId: o.groupId });
        await coordinator.heartbeat({ groupId: o.groupId, groupGenerationId: this.generation, memberId: this.memberId });
        this.lastHeartbeat = Date.now();
        failures = 0;
      } catch (e) {
        if (this.closed) break;
        const type = errorType(e);
        if (type === 'REBALANCE_IN_PROGRESS') {
          // the coordinator counts this heartbeat: the session lives on while the member rejoins
          this.lastHeartbeat = Date.now();
          if (!this.rebalancing) this.requestRejoin();
          continue;
        }
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID' || type === 'ILLEGAL_GENERATION') {
          if (type !== 'ILLEGAL_GENERATION') this.memberId = '';
          if (!this.rebalancing) this.requestRejoin();
          continue;
        }
        failures++;
        if (!COORDINATOR_MOVED.has(type) && failures <= 3) o.logLine(`Connect group ${o.groupId}: heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
        if (this.holding && !this.rebalancing && Date.now() - this.lastHeartbeat >= o.sessionTimeoutMs) {
          o.logLine(`Connect group ${o.groupId}: no heartbeat for ${o.sessionTimeoutMs} ms; stopping this worker's connectors and tasks until it rejoins`);
          this.memberId = '';
          this.requestRejoin();
        }
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    const o = this.options;
    this.inJoin = true;
    let assignment: Buffer;
    try {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId: o.groupId });
      const join = await coordinator.joinGroup({
        groupId: o.groupId,
        sessionTimeout: o.sessionTimeoutMs,
        rebalanceTimeout: o.rebalanceTimeoutMs,
        memberId: this.memberId,
        protocolType: CONNECT_PROTOCOL_TYPE,
        groupProtocols: [{ name: EAGER_PROTOCOL, metadata: await o.metadata() }],
      });
      this.memberId = join.memberId;
      this.generation = join.generationId;
      let groupAssignment: { memberId: string; memberAssignment: Buffer }[] = [];
      if (join.leaderId === join.memberId) {
        const assignments = await o.assign(
          join.members.map((m) => ({ memberId: m.memberId, metadata: m.memberMetadata })),
          join.memberId,
          join.generationId,
        );
        groupAssignment = [...assignments].map(([memberId, memberAssignment]) => ({ memberId, memberAssignment }));
      }
      const sync = await coordinator.syncGroup({ groupId: o.groupId, generationId: this.generation, memberId: this.memberId, groupAssignment });
      assignment = sync.memberAssignment;
    } finally {
      this.inJoin = false;
      this.lastHeartbeat = Date.now();
    }
    if (this.closed) return;
    this.holding = true;
    this.stable = true;
    // started in the background, so heartbeats go on while connectors and tasks start
    const generation = this.generation;
    this.assigning = o.onAssign(assignment, generation, this.memberId).catch((e: unknown) => o.logLine(`Connect group ${o.groupId}: starting generation ${generation} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Idempotent: revokes (tasks stop, sinks commit), leaves the group so the others rebalance at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.wakeHeartbeat?.();
    await this.loop?.catch(() => undefined);
    await this.heartbeatLoop?.catch(() => undefined);
    await this.revoke().catch(() => undefined);
    if (this.memberId) {
      try {
        const coordinator = await this.cluster.findGroupCoordinator({ groupId: this.options.groupId });
        await coordinator.leaveGroup({ groupId: this.options.groupId, memberId: this.memberId });
      } catch {
        /* the session timeout removes it */
      }
    }
    await this.cluster.disconnect().catch(() => undefined);
  }
}
