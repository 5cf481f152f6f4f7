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
    workerId: all['rest.advertised.host.name'] ?? `${all['rest.host.name'] ?? 'localhost'}:${all['rest.port'] ?? '8083'}`,
    configTopic: all['config.storage.topic']!,
    offsetsTopic: all['offset.storage.topic']!,
    statusTopic: all['status.storage.topic']!,
    offsetFlushIntervalMs: Number(all['offset.flush.interval.ms']),
  };
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
