/**
 * Connect's distributed mode for one worker (Kafka Connect's DistributedHerder): the workers that
 * share a `group.id` share the config, offsets and status topics and form one consumer group of
 * protocol type `connect` on the Kafka cluster the engine runs on (see group-member.ts).
 *
 * - The group's leader deals the connectors and their tasks out round-robin (Connect's eager
 *   protocol, `connect.protocol=eager`): every rebalance, each worker first stops what it runs (sink
 *   tasks commit), then starts what it is given. A worker that joins, leaves or stops heartbeating
 *   (SIGKILL: after `session.timeout.ms`) makes the group rebalance.
 * - The config topic is the cluster's single source of truth: a REST or SQL change made on any
 *   worker is written there, every worker reads it back (tailing the topic), and a change that moves
 *   work (a connector created, reconfigured, deleted, stopped or resumed from stopped, new task
 *   configurations) makes the worker rejoin so the leader assigns again. The worker running a
 *   connector computes its task configurations and writes them there (`task-<c>-<n>`, `commit-<c>`).
 * - Status: each worker writes its connectors' and tasks' states to the status topic with its
 *   worker id and the generation; the others answer `/status` from what they read there.
 */
import { assignRoundRobin, decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata, type ConnectAssignment } from './connect-protocol.js';
import type { ConfigChanges, ConnectStore } from './connect-store.js';
import { GroupMember } from './group-member.js';

/** what the herder needs from the worker */
export interface HerderHooks {
  /** runs work in the worker's queue of changes (one at a time) */
  serial<T>(work: () => Promise<T>): Promise<T>;
  /** applies what a refresh of the internal topics found; resolves whether the group must rebalance */
  apply(changes: ConfigChanges): Promise<boolean>;
  /** stops every connector and task this worker runs */
  revokeAll(): Promise<void>;
  /** starts what the leader assigned */
  assigned(assignment: ConnectAssignment, generation: number): Promise<void>;
  /** the work to deal out: every connector, and the tasks of those not stopped */
  work(): { connectors: string[]; tasks: { connector: string; task: number }[] };
  logLine(line: string): void;
}

export interface HerderOptions {
  readonly kafka: Readonly<Record<string, string>>;
  readonly groupId: string;
  readonly props: Readonly<Record<string, string>>;
  readonly workerId: string;
}

const num = (props: Readonly<Record<string, string>>, key: string, fallback: number): number => {
  const v = Number(props[key]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/** how often a worker reads the internal topics for changes made elsewhere */
const REFRESH_MS = 500;

export class DistributedHerder {
  private readonly member: GroupMember;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private leader = false;
  private refreshing = false;

  constructor(
    private readonly hooks: HerderHooks,
    private readonly store: ConnectStore,
    private readonly options: HerderOptions,
  ) {
    const p = options.props;
    // Connect's defaults: session.timeout.ms 10 s, heartbeat.interval.ms 3 s, rebalance.timeout.ms 60 s
    this.member = new GroupMember({
      kafka: options.kafka,
      groupId: options.groupId,
      sessionTimeoutMs: num(p, 'session.timeout.ms', 10_000),
      heartbeatIntervalMs: num(p, 'heartbeat.interval.ms', 3_000),
      rebalanceTimeoutMs: num(p, 'rebalance.timeout.ms', 60_000),
      metadata: async () => encodeMetadata({ url: this.url, configOffset: this.store.configOffset }),
      assign: (members, self) => this.assign(members, self),
      onAssign: (bytes, generation) =>
        this.hooks.serial(async () => {
          if (this.closed) return;
          const assignment = decodeAssignment(bytes);
          this.leader = assignment.leader === this.member.id;
          // the leader had read the config topic this far: catch up before starting anything
          await this.refreshUnlocked();
          await this.hooks.assigned(assignment, generation);
        }),
      onRevoke: () => this.hooks.serial(() => this.hooks.revokeAll()),
      logLine: (line) => this.hooks.logLine(line),
    });
  }

  /** the worker's REST URL as the other members see it (Connect's member metadata) */
  get url(): string {
    return `http://${this.options.workerId}`;
  }

  start(): void {
    this.member.start();
    const tick = () => {
      if (this.closed) return;
      void this.hooks
        .serial(() => this.refreshUnlocked())
        .catch((e) => this.hooks.logLine(`Connect: reading the internal topics failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, REFRESH_MS);
        });
    };
    this.timer = setTimeout(tick, REFRESH_MS);
  }

  state(): { memberId: string; generation: number; leader: boolean; stable: boolean } {
    return { memberId: this.member.id, generation: this.member.currentGeneration, leader: this.leader, stable: this.member.stable };
  }

  /** reads the internal topics and acts on what changed; the caller holds the worker's queue */
  async refreshUnlocked(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const changes = await this.store.refresh();
      if (await this.hooks.apply(changes)) this.member.requestRejoin();
    } finally {
      this.refreshing = false;
    }
  }

  private async assign(members: readonly { memberId: string; metadata: Buffer }[], self: string): Promise<Map<string, Buffer>> {
    // the leader assigns from the newest configuration (Connect's leader reads to the end first)
    await this.hooks.serial(() => this.refreshUnlocked());
    const { connectors, tasks } = this.hooks.work();
    const plan = assignRoundRobin(members.map((m) => m.memberId), connectors, tasks);
    const urls = new Map(members.map((m) => [m.memberId, safeUrl(m.metadata)]));
    const out = new Map<string, Buffer>();
    for (const [memberId, part] of plan) {
      out.set(memberId, encodeAssignment({ error: 0, leader: self, leaderUrl: urls.get(self) ?? this.url, configOffset: this.store.configOffset, connectors: part.connectors, tasks: part.tasks }));
    }
    this.hooks.logLine(`Connect group ${this.options.groupId}: generation assigned by ${this.options.workerId}: ${[...plan].map(([m, p]) => `${urls.get(m) ?? m} <- [${[...p.connectors, ...p.tasks.map((t) => `${t.connector}-${t.task}`)].join(', ')}]`).join('; ')}`);
    return out;
  }

  /** Idempotent: stops reading, gives up this worker's work and leaves the group. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.member.close();
  }
}

function safeUrl(metadata: Buffer): string | undefined {
  try {
    return decodeMetadata(metadata).url;
  } catch {
    return undefined;
  }
}
