/**
 * The worker's configuration, read from Kafka Connect's own worker properties (as is: the keys a
 * `connect-distributed.properties` or `connect-standalone.properties` holds). Keys the embedded worker
 * has no use for (`bootstrap.servers`, `group.id`, `plugin.path` of Java jars...) are kept and ignored.
 */
import { readFileSync } from 'node:fs';

export interface WorkerConfig {
  readonly props: Readonly<Record<string, string>>;
  readonly workerId: string;
  readonly configTopic: string;
  readonly offsetsTopic: string;
  readonly statusTopic: string;
  /** how often sink offsets are committed and source offsets flushed (ms) */
  readonly offsetFlushIntervalMs: number;
}

/** Connect's defaults, except the converters: Sluice streams are JSON without the schema envelope. */
export const WORKER_DEFAULTS: Readonly<Record<string, string>> = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
  'header.converter': 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  'config.storage.topic': 'connect-configs',
  'offset.storage.topic': 'connect-offsets',
  'status.storage.topic': 'connect-status',
  'offset.flush.interval.ms': '10000',
};

export function workerConfig(props: Readonly<Record<string, string>> = {}): WorkerConfig {
  const all = { ...WORKER_DEFAULTS, ...props };
  return {
    props: all,
    workerId: workerIdOf(all),
    configTopic: all['config.storage.topic']!,
    offsetsTopic: all['offset.storage.topic']!,
    statusTopic: all['status.storage.topic']!,
    offsetFlushIntervalMs: Number(all['offset.flush.interval.ms']),
  };
}

/**
 * The worker's id: host:port of its REST API as other workers reach it (Connect's advertised URL):
 * `rest.advertised.host.name`/`rest.advertised.port`, else the first `listeners` URL, else
 * `rest.host.name`/`rest.port`. Workers of one cluster must differ here (their status records say
 * which worker runs what).
 */
function workerIdOf(all: Readonly<Record<string, string>>): string {
  const listener = all['listeners']?.split(',').map((s) => s.trim()).find((s) => /^https?:\/\//.test(s));
  const url = listener ? new URL(listener.replace('://:', '://0.0.0.0:')) : undefined;
  const listenHost = url && url.hostname !== '0.0.0.0' && url.hostname !== '' ? url.hostname : undefined;
  const host = all['rest.advertised.host.name'] ?? listenHost ?? all['rest.host.name'] ?? 'localhost';
  const port = all['rest.advertised.port'] ?? (url?.port || undefined) ?? all['rest.port'] ?? '8083';
  // the advertised host name alone was the id before (kept for workers that set only it)
  if (all['rest.advertised.host.name'] !== undefined && all['rest.advertised.port'] === undefined && !url && all['rest.port'] === undefined) return all['rest.advertised.host.name'];
  return `${host}:${port}`;
}

/** Java properties text: `key=value` or `key: value` or `key value`, `#`/`!` comments, `\` continuations. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    const m = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]\s*(.*)$/.exec(line);
    const key = (m ? m[1]! : line).replace(/\\(.)/g, '$1');
    out[key] = m ? m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)) : '';
  }
  return out;
}

export function readWorkerProperties(path: string): Record<string, string> {
  return parseProperties(readFileSync(path, 'utf8'));
}
