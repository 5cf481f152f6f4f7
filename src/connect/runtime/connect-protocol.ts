/**
 * Kafka Connect's group protocol (ConnectProtocol, `connect.protocol=eager`, version 0) on the wire:
 * the protocol type `connect`, the protocol `default`, each member's metadata (its REST URL and the
 * config topic offset it has read) and the leader's assignment (connectors and tasks per member; a
 * connector itself is task -1), encoded as Connect encodes them so `kafka-consumer-groups` and Connect's
 * own tools read them as they read a Connect cluster's.
 */

export const CONNECT_PROTOCOL_TYPE = 'connect';
export const EAGER_PROTOCOL = 'default';
const CONNECTOR_TASK = -1;

export interface WorkerMetadata {
  readonly url: string;
  readonly configOffset: bigint;
}

export interface ConnectAssignment {
  /** Connect's Assignment.NO_ERROR (0) or CONFIG_MISMATCH (1) */
  readonly error: number;
  readonly leader: string;
  readonly leaderUrl: string;
  readonly configOffset: bigint;
  readonly connectors: readonly string[];
  readonly tasks: readonly { connector: string; task: number }[];
}

class Out {
  private readonly parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class In {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  int16(): number {
    const v = this.b.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32(): number {
    const v = this.b.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  int64(): bigint {
    const v = this.b.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  string(): string {
    const n = this.int16();
    const s = this.b.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
}

export function encodeMetadata(m: WorkerMetadata): Buffer {
  return new Out().int16(0).string(m.url).int64(m.configOffset).done();
}

export function decodeMetadata(b: Buffer): WorkerMetadata {
  const r = new In(b);
  r.int16();
  return { url: r.string(), configOffset: r.int64() };
}

export function encodeAssignment(a: ConnectAssignment): Buffer {
  const byConnector = new Map<string, number[]>();
  for (const c of a.connectors) byConnector.set(c, [CONNECTOR_TASK]);
  for (const t of a.tasks) (byConnector.get(t.connector) ?? byConnector.set(t.connector, []).get(t.connector)!).push(t.task);
  const out = new Out().int16(0).int16(a.error).string(a.leader).string(a.leaderUrl).int64(a.configOffset).int32(byConnector.size);
  for (const [connector, tasks] of byConnector) {
    out.string(connector).int32(tasks.length);
    for (const t of tasks) out.int32(t);
  }
  return out.done();
}

export function decodeAssignment(b: Buffer): ConnectAssignment {
  const r = new In(b);
  r.int16();
  const error = r.int16();
  const leader = r.string();
  const leaderUrl = r.string();
  const configOffset = r.int64();
  const connectors: string[] = [];
  const tasks: { connector: string; task: number }[] = [];
  for (let n = r.int32(); n > 0; n--) {
    const connector = r.string();
    for (let k = r.int32(); k > 0; k--) {
      const t = r.int32();
      if (t === CONNECTOR_TASK) connectors.push(connector);
      else tasks.push({ connector, task: t });
    }
  }
  return { error, leader, leaderUrl, configOffset, connectors, tasks };
}

/**
 * The leader's round-robin (Connect's EagerAssignor): members sorted by id, connectors in name order
 * then tasks in (connector, id) order dealt out one each in turn.
 */
export function assignRoundRobin(
  members: readonly string[],
  connectors: readonly string[],
  tasks: readonly { connector: string; task: number }[],
): Map<string, { connectors: string[]; tasks: { connector: string; task: number }[] }> {
  const sorted = [...members].sort();
  const out = new Map(sorted.map((m) => [m, { connectors: [] as string[], tasks: [] as { connector: string; task: number }[] }]));
  if (!sorted.length) return out;
  let i = 0;
  for (const c of [...connectors].sort()) out.get(sorted[i++ % sorted.length]!)!.connectors.push(c);
  const ordered = [...tasks].sort((a, b) => (a.connector < b.connector ? -1 : a.connector > b.connector ? 1 : a.task - b.task));
  for (const t of ordered) out.get(sorted[i++ % sorted.length]!)!.tasks.push(t);
  return out;
}
