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
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
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
  }

  /** rejoin the group (a config change the assignment must follow) */
  requestRejoin(): void {
    this.rejoin = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async revoke(): Promise<void> {
    this.stable = false;
    if (!this.holding) return;
    this.holding = false;
    await this.options.onRevoke();
  }

  private async run(): Promise<void> {
    const o = this.options;
    let lastHeartbeat = Date.now();
    let failures = 0;
    while (!this.closed) {
      try {
        if (this.rejoin) {
          await this.revoke();
          this.rejoin = false;
          await this.joinAndSync();
          lastHeartbeat = Date.now();
          failures = 0;
          continue;
        }
        await this.sleep(o.heartbeatIntervalMs);
        if (this.closed || this.rejoin) continue;
        const coordinator = await this.cluster.findGroupCoordinator({ groupId: o.groupId });
        await coordinator.heartbeat({ groupId: o.groupId, groupGenerationId: this.generation, memberId: this.memberId });
        lastHeartbeat = Date.now();
        failures = 0;
      } catch (e) {
        if (this.closed) break;
        const type = errorType(e);
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        if (REJOIN.has(type)) {
          this.rejoin = true;
          continue;
        }
        failures++;
        if (!COORDINATOR_MOVED.has(type) && failures <= 3) o.logLine(`Connect group ${o.groupId}: ${e instanceof Error ? e.message : String(e)}`);
        // no heartbeat for a session: the coordinator has dropped this member and handed its work on
        if (this.holding && Date.now() - lastHeartbeat >= o.sessionTimeoutMs) {
          o.logLine(`Connect group ${o.groupId}: no heartbeat for ${o.sessionTimeoutMs} ms; stopping this worker's connectors and tasks until it rejoins`);
          this.memberId = '';
          this.rejoin = true;
          await this.revoke();
        }
        await this.sleep(Math.min(200 * failures, 2000));
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    const o = this.options;
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
    if (this.closed) return;
    this.holding = true;
    this.stable = true;
    await o.onAssign(sync.memberAssignment, this.generation, this.memberId);
  }

  /** Idempotent: revokes (tasks stop, sinks commit), leaves the group so the others rebalance at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.loop?.catch(() => undefined);
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
