/**
 * The embedded Kafka broker: serves the Kafka wire protocol over a Sluice Log (normally the
 * engine's embedded log), so any Kafka client can produce records that queries read and consume
 * what queries write, live. One node (id 0) leads every partition and coordinates every group
 * and transaction.
 *
 *   const broker = new KafkaBroker({ log: engine.log, listen: '127.0.0.1:9092' });
 *   await broker.listen();   ...   await broker.close();
 *
 * Each connection handles its requests one at a time, in order (as Kafka does), with bounded
 * buffering: a client that does not read its responses stops being read from, and never blocks
 * other connections or the log.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Log } from '../log/log.js';
import type { Authenticator } from '../server/auth.js';
import { API, SERVED, type ApiName } from './api-versions.js';
import type { AdminEvent, BrokerContext, BrokerSettings, ConnectionInfo, Handler, RequestContext } from './broker-context.js';
import { GroupCoordinator } from './group-coordinator.js';
import { apiVersions, apiVersionsBody, describeCluster, metadata } from './handlers/cluster.js';
import { fetch, listOffsets } from './handlers/fetch.js';
import { deleteGroups, describeGroups, findCoordinator, heartbeat, joinGroup, leaveGroup, listGroups, offsetCommit, offsetFetch, syncGroup } from './handlers/groups.js';
import { NO_RESPONSE, produce } from './handlers/produce.js';
import { saslAuthenticate, saslHandshake } from './handlers/sasl.js';
import { alterConfigs, createPartitions, createTopics, deleteRecords, deleteTopics, describeConfigs, incrementalAlterConfigs } from './handlers/topics-admin.js';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit } from './handlers/transactions.js';
import { ProducerStates } from './producer-states.js';
import { readStruct, writeStruct, type Msg } from './protocol/codec.js';
import { Reader } from './protocol/reader.js';
import { Writer } from './protocol/writer.js';
import type { ScramCredential } from './scram.js';
import { readScramCredentials } from './scram-credentials.js';

export interface KafkaBrokerOptions {
  readonly log: Log;
  /** HOST:PORT (default 127.0.0.1:9092; port 0 picks a free one) */
  readonly listen?: string;
  /**
   * Kafka's advertised.listeners: the HOST:PORT clients are told to connect to (default: the
   * address each client reached, right unless the broker sits behind NAT or a proxy)
   */
  readonly advertise?: string;
  /** Kafka's auto.create.topics.enable (default true) */
  readonly autoCreateTopics?: boolean;
  /** Kafka's num.partitions for auto-created topics (default 1) */
  readonly defaultPartitions?: number;
  /** Kafka's socket.request.max.bytes: bigger frames close the connection (default 100 MiB) */
  readonly maxRequestBytes?: number;
  /** Kafka's group.initial.rebalance.delay.ms (default 0 here, 3000 in Kafka) */
  readonly initialRebalanceDelayMs?: number;
  /** SASL: users from the REST server's users file (PLAIN), plus its "scram" entries */
  readonly auth?: { readonly authenticator: Authenticator; readonly usersFile?: string };
  /** TLS on the listener (SSL / SASL_SSL) */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /** topic admin changes, for the audit log */
  readonly audit?: (event: AdminEvent) => Promise<void>;
  /** diagnostics (bad frames, closed connections) */
  readonly onLog?: (line: string) => void;
  readonly clusterId?: string;
}

const HANDLERS: Record<ApiName, Handler> = {
  Produce: produce,
  Fetch: fetch,
  ListOffsets: listOffsets,
  Metadata: metadata,
  OffsetCommit: offsetCommit,
  OffsetFetch: offsetFetch,
  FindCoordinator: findCoordinator,
  JoinGroup: joinGroup,
  Heartbeat: heartbeat,
  LeaveGroup: leaveGroup,
  SyncGroup: syncGroup,
  DescribeGroups: describeGroups,
  ListGroups: listGroups,
  SaslHandshake: saslHandshake,
  ApiVersions: apiVersions,
  CreateTopics: createTopics,
  DeleteTopics: deleteTopics,
  DeleteRecords: deleteRecords,
  InitProducerId: initProducerId,
  AddPartitionsToTxn: addPartitionsToTxn,
  AddOffsetsToTxn: addOffsetsToTxn,
  EndTxn: endTxn,
  TxnOffsetCommit: txnOffsetCommit,
  DescribeConfigs: describeConfigs,
  AlterConfigs: alterConfigs,
  SaslAuthenticate: saslAuthenticate,
  CreatePartitions: createPartitions,
  IncrementalAlterConfigs: incrementalAlterConfigs,
  DescribeCluster: describeCluster,
  DeleteGroups: deleteGroups,
};

/** SLUICE_KAFKA_TRACE=1 logs every request and response (truncated) */
const TRACE = process.env.SLUICE_KAFKA_TRACE === '1';
const traceValue = (_k: string, v: unknown) => (typeof v === 'bigint' ? String(v) : v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? `<${((v as { data: unknown[] }).data).length} bytes>` : v);
const PRE_AUTH = new Set<number>([API.ApiVersions, API.SaslHandshake, API.SaslAuthenticate]);
/** pause reading a connection while this much response data waits for the client */
const MAX_UNSENT_BYTES = 16 << 20;
/** ... or while this many requests wait to be handled */
const MAX_QUEUED_REQUESTS = 64;

export function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  if (at < 0) throw new Error(`--kafka-listen wants HOST:PORT, got ${JSON.stringify(listen)}`);
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(at + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--kafka-listen: bad port in ${JSON.stringify(listen)}`);
  return { host: host || '0.0.0.0', port };
}

export class KafkaBroker {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly context: BrokerContext;
  private scram: { credentials: Map<string, Map<string, ScramCredential>>; roles: Map<string, 'admin' | 'read-only'> } | undefined;
  private boundPort = 0;
  private readonly advertised: { host: string; port: number } | undefined;
  private closed = false;
  readonly settings: BrokerSettings;

  constructor(private readonly options: KafkaBrokerOptions) {
    this.settings = {
      nodeId: 0,
      clusterId: options.clusterId ?? 'sluice-embedded',
      autoCreateTopics: options.autoCreateTopics ?? true,
      defaultPartitions: options.defaultPartitions ?? 1,
      maxRequestBytes: options.maxRequestBytes ?? 100 * 1024 * 1024,
    };
    this.advertised = options.advertise ? parseListen(options.advertise) : undefined;
    const groups = new GroupCoordinator({ initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 30 * 60_000 });
    const producers = new ProducerStates(options.log);
    const auth = options.auth;
    this.context = {
      log: options.log,
      settings: this.settings,
      groups,
      producers,
      audit: async (e) => {
        try {
          await options.audit?.(e);
        } catch (err) {
          options.onLog?.(`kafka listener: audit write failed: ${(err as Error).message}`);
        }
      },
      advertised: (conn) => this.advertised ?? { host: conn.localAddress, port: conn.localPort || this.boundPort },
      saslMechanisms: () => (auth ? ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] : []),
      verifyPassword: async (user, password) => {
        if (!auth) return undefined;
        const p = await auth.authenticator.authenticate(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
        return p !== undefined && p.method === 'basic' && p.name === user ? p.role : undefined;
      },
      scramCredential: async (user, mech) => this.scram?.credentials.get(user)?.get(mech),
      roleOf: (user) => this.scram?.roles.get(user) ?? 'read-only',
    };
  }

  get authRequired(): boolean {
    return this.options.auth !== undefined;
  }

  /** starts listening; resolves with the bound HOST:PORT */
  async listen(): Promise<string> {
    if (this.options.auth?.usersFile) this.scram = await readScramCredentials(this.options.auth.usersFile);
    const { host, port } = parseListen(this.options.listen ?? '127.0.0.1:9092');
    const onSocket = (socket: Socket) => this.accept(socket);
    const server = this.options.tls ? createTlsServer({ key: this.options.tls.key, cert: this.options.tls.cert }, onSocket) : createTcpServer(onSocket);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.options.onLog?.(`kafka listener: ${e.message}`));
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : port;
    return `${host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = new Connection(socket, this.context, this.settings, this.authRequired, (line) => this.options.onLog?.(line));
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  /** idempotent: stops accepting, closes connections, ends parked joins and fetches */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.context.groups.close();
    this.context.producers.close();
    for (const c of this.connections) c.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly queue: Buffer[] = [];
  private running = false;
  private dead = false;
  private readonly info: ConnectionInfo;

  constructor(
    private readonly socket: Socket,
    private readonly broker: BrokerContext,
    private readonly settings: BrokerSettings,
    authRequired: boolean,
    private readonly log: (line: string) => void,
  ) {
    this.info = {
      localAddress: (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      localPort: socket.localPort ?? 0,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      principal: 'anonymous',
      authenticated: !authRequired,
      role: 'admin',
    };
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => this.destroy());
    socket.on('close', () => (this.dead = true));
    socket.on('drain', () => this.maybeResume());
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  private fail(reason: string): void {
    this.log(`kafka listener: closing ${this.info.remote}: ${reason}`);
    this.destroy();
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.settings.maxRequestBytes) {
        this.fail(`request of ${size} bytes (limit ${this.settings.maxRequestBytes})`);
        return;
      }
      if (this.buffered < 4 + size) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.queue.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
    if (this.queue.length >= MAX_QUEUED_REQUESTS) this.socket.pause();
    void this.run();
  }

  private maybeResume(): void {
    if (!this.dead && this.queue.length < MAX_QUEUED_REQUESTS && this.socket.writableLength < MAX_UNSENT_BYTES && this.socket.isPaused()) this.socket.resume();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && !this.dead) {
        const frame = this.queue.shift()!;
        try {
          await this.handle(frame);
        } catch (e) {
          // a bug in a handler or an encoder costs this connection, never the process
          this.fail(`internal error: ${(e as Error).message}`);
          return;
        }
        if (this.socket.writableLength >= MAX_UNSENT_BYTES) this.socket.pause();
        else this.maybeResume();
      }
    } finally {
      this.running = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    const r = new Reader(frame);
    let apiKey: number;
    let version: number;
    let correlationId: number;
    let clientId: string | null;
    try {
      apiKey = r.int16();
      version = r.int16();
      correlationId = r.int32();
      const n = r.int16();
      clientId = n < 0 ? null : r.bytesRaw(n).toString('utf8');
    } catch {
      this.fail('malformed request header');
      return;
    }
    const api = SERVED.get(apiKey);
    if (!api) {
      this.fail(`unknown API key ${apiKey}`);
      return;
    }
    if (version < api.min || version > api.max) {
      if (apiKey === API.ApiVersions) {
        // KIP-511: answer in v0 with UNSUPPORTED_VERSION and our ranges, so the client can retry
        this.send(correlationId, apiVersionsBody(35), api.schema.response, 0, false, false);
        return;
      }
      this.fail(`${api.name} v${version} is not supported (v${api.min}-v${api.max})`);
      return;
    }
    if (!this.info.authenticated && !PRE_AUTH.has(apiKey)) {
      this.fail(`${api.name} before SASL authentication`);
      return;
    }
    const flexible = version >= api.schema.flexible;
    let body: Msg;
    try {
      if (flexible) {
        const count = r.uvarint();
        for (let i = 0; i < count; i++) {
          r.uvarint();
          r.bytesRaw(r.uvarint());
        }
      }
      body = readStruct(api.schema.request, version, flexible, r);
    } catch (e) {
      this.fail(`malformed ${api.name} v${version} request: ${(e as Error).message}`);
      return;
    }
    const ctx: RequestContext = { broker: this.broker, conn: this.info, apiKey, version, clientId };
    let response: Msg;
    const started = Date.now();
    try {
      response = await HANDLERS[api.name](body, ctx);
      if (TRACE) this.log(`kafka listener: ${this.info.remote} ${api.name} v${version} #${correlationId} ${Date.now() - started}ms ${JSON.stringify(body, traceValue).slice(0, 400)} -> ${JSON.stringify(response, traceValue).slice(0, 400)}`);
    } catch (e) {
      this.fail(`${api.name} failed: ${(e as Error).message}`);
      return;
    }
    if (response === NO_RESPONSE) return;
    const responseFlexible = version >= api.schema.responseFlexible;
    this.send(correlationId, response, api.schema.response, version, responseFlexible, responseFlexible && apiKey !== API.ApiVersions);
  }

  private send(correlationId: number, body: Msg, schema: Parameters<typeof writeStruct>[0], version: number, flexible: boolean, headerTags: boolean): void {
    if (this.dead) return;
    const w = new Writer(256);
    const fill = w.sizePrefix();
    w.int32(correlationId);
    if (headerTags) w.uvarint(0);
    writeStruct(schema, body, version, flexible, w);
    fill();
    this.socket.write(w.toBuffer());
  }
}

