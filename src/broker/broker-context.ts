/** What every API handler sees: the log, the broker's settings and the shared coordinators. */
import { createHash } from 'node:crypto';
import type { Log } from '../log/log.js';
import type { Msg } from './protocol/codec.js';
import type { GroupCoordinator } from './group-coordinator.js';
import type { ProducerStates } from './producer-states.js';
import type { ScramCredential } from './scram.js';

export interface BrokerSettings {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly maxRequestBytes: number;
}

/** a topic admin change, for the audit log */
export interface AdminEvent {
  readonly action: 'create-topic' | 'delete-topic' | 'alter-config' | 'create-partitions' | 'delete-records';
  readonly topic: string;
  readonly principal: string;
  /** the client's address */
  readonly source: string;
  readonly detail: string;
  readonly ok: boolean;
}

export interface BrokerContext {
  readonly log: Log;
  readonly settings: BrokerSettings;
  readonly groups: GroupCoordinator;
  readonly producers: ProducerStates;
  audit(event: AdminEvent): Promise<void>;
  /** the address clients were given for this broker (the one they connected to) */
  advertised(conn: ConnectionInfo): { host: string; port: number };
  /** SASL mechanisms offered (none without a users file) */
  saslMechanisms(): string[];
  /** the user's role when the password is right, else undefined */
  verifyPassword(user: string, password: string): Promise<'admin' | 'read-only' | undefined>;
  scramCredential(user: string, mechanism: string): Promise<ScramCredential | undefined>;
  roleOf(user: string): 'admin' | 'read-only';
}

export interface ConnectionInfo {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remote: string;
  /** who authenticated on this connection (anonymous without SASL) */
  principal: string;
  authenticated: boolean;
  /**
   * the users file's role: `read-only` may read, describe and consume in groups (commits
   * included) but not produce, create, delete or reconfigure topics, nor use producer ids
   */
  role: 'admin' | 'read-only';
  saslMechanism?: string;
  /** state of a SCRAM exchange in progress */
  scram?: unknown;
}

export interface RequestContext {
  readonly broker: BrokerContext;
  readonly conn: ConnectionInfo;
  readonly apiKey: number;
  readonly version: number;
  readonly clientId: string | null;
}

/** whether this connection may change data or topics (the read-only role may not) */
export function mayWrite(ctx: RequestContext): boolean {
  return ctx.conn.role === 'admin';
}

export type Handler = (req: Msg, ctx: RequestContext) => Promise<Msg>;

/** a stable topic id (Kafka's uuid) derived from the name, so metadata agrees across restarts */
export function topicId(name: string): string {
  return createHash('md5').update(`sluice-topic:${name}`).digest('hex');
}

/** the topic a topic id names (requests that carry ids instead of names), or undefined */
export async function topicNameOf(log: Log, id: string): Promise<string | undefined> {
  for (const name of await log.listTopics()) if (topicId(name) === id) return name;
  return undefined;
}

/**
 * Sluice's own topics (command log, schemas, audit, repartition and changelog topics): readable
 * by clients, like Kafka's __consumer_offsets, but not writable, deletable or reconfigurable
 */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('_sluice') || name === '_schemas' || name.startsWith('__');
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;
export function isLegalTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && name !== '.' && name !== '..' && LEGAL.test(name);
}
