/**
 * Kafka client settings, given with Kafka's own property names (`bootstrap.servers`,
 * `security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, `ssl.*`, `client.id`,
 * `compression.type`, `linger.ms`, `processing.guarantee`...), turned into kafkajs options. Only
 * this file knows how kafkajs spells them, so another client can replace kafkajs behind the Log.
 */
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { LogError } from '../../common/errors.js';

export interface KafkaSettings {
  readonly client: KafkaConfig;
  readonly compression: CompressionTypes;
  /** producer batching: how long a produce waits to gather more records (0: send at once) */
  readonly lingerMs: number;
  /** the prefix of transactional ids and internal names: ksql.service.id */
  readonly serviceId: string;
}

/** the properties this adapter reads; others (engine settings) are ignored here */
export const KAFKA_CLIENT_PROPERTIES = [
  'bootstrap.servers',
  'client.id',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.username',
  'sasl.password',
  'ssl.ca.location',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'compression.type',
  'linger.ms',
  'request.timeout.ms',
  'connections.max.idle.ms',
  'ksql.service.id',
] as const;

function bad(message: string): LogError {
  return new LogError(message, 'INVALID_CONFIG');
}

const COMPRESSION: Record<string, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};

/** `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";` */
function jaasCredentials(jaas: string): { username: string; password: string } {
  const username = /username\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  const password = /password\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  if (username === undefined || password === undefined) throw bad('sasl.jaas.config needs username="..." and password="..."');
  return { username, password };
}

function sasl(props: Readonly<Record<string, string>>): SASLOptions | undefined {
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!protocol.startsWith('SASL')) return undefined;
  const mechanism = (props['sasl.mechanism'] ?? 'PLAIN').toUpperCase();
  const creds =
    props['sasl.jaas.config'] !== undefined
      ? jaasCredentials(props['sasl.jaas.config'])
      : { username: props['sasl.username'] ?? '', password: props['sasl.password'] ?? '' };
  if (!creds.username) throw bad(`security.protocol=${protocol} needs sasl.jaas.config (or sasl.username and sasl.password)`);
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', ...creds };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', ...creds };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', ...creds };
    default:
      throw bad(`sasl.mechanism ${mechanism} is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
  }
}

function ssl(props: Readonly<Record<string, string>>): KafkaConfig['ssl'] {
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (protocol !== 'SSL' && protocol !== 'SASL_SSL') return undefined;
  const read = (key: string) => (props[key] ? readFileSync(props[key]!, 'utf8') : undefined);
  const options: Record<string, unknown> = {};
  const ca = read('ssl.ca.location');
  const cert = read('ssl.certificate.location');
  const key = read('ssl.key.location');
  if (ca) options.ca = [ca];
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (props['ssl.key.password']) options.passphrase = props['ssl.key.password'];
  // Kafka's ssl.endpoint.identification.algorithm= (empty) turns host name checks off
  if (props['ssl.endpoint.identification.algorithm'] === '') options.checkServerIdentity = () => undefined;
  return Object.keys(options).length ? options : true;
}

function intProp(props: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const raw = props[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw bad(`${key} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function kafkaSettings(props: Readonly<Record<string, string>>): KafkaSettings {
  const servers = props['bootstrap.servers'];
  if (!servers) throw bad('bootstrap.servers is required to use Kafka (e.g. localhost:9092)');
  const brokers = servers.split(',').map((s) => s.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^:\s]+:\d+$/.test(b)) throw bad(`bootstrap.servers: '${b}' is not HOST:PORT`);
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol))
    throw bad(`security.protocol ${protocol} is not supported (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)`);
  const compressionName = (props['compression.type'] ?? 'none').toLowerCase();
  const compression = COMPRESSION[compressionName];
  if (compression === undefined) throw bad(`compression.type ${compressionName} is not supported (none, gzip: kafkajs has no built-in snappy, lz4 or zstd codec)`);
  const client: KafkaConfig = {
    brokers,
    clientId: props['client.id'] ?? 'sluice',
    requestTimeout: intProp(props, 'request.timeout.ms', 30_000),
    connectionTimeout: 10_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
  };
  const s = sasl(props);
  if (s) client.sasl = s;
  const t = ssl(props);
  if (t) client.ssl = t;
  return { client, compression, lingerMs: intProp(props, 'linger.ms', 0), serviceId: props['ksql.service.id'] ?? 'default_' };
}
