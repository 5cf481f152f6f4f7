/** Opens the engine the way every command does: the data directory, --set properties, the processing log on stderr. */
import { Engine, readWorkerProperties } from '../index.js';
import type { Log } from '../index.js';
import type { CliIo } from './cli-io.js';
import { ProcessingLogSummary } from './processing-log-summary.js';

export async function openEngine(dataDir: string, properties: Record<string, string>, io: CliIo, log?: Log): Promise<Engine> {
  const streamName = (properties['ksql.logging.processing.stream.name'] ?? 'KSQL_PROCESSING_LOG').toUpperCase();
  // one line per bad record would bury everything else (175,000 lines for 87,500 bad records)
  const summary = new ProcessingLogSummary(io.err, { streamName });
  const engine = await Engine.open({
    ...(log ? { log } : { dataDir }),
    properties,
    onProcessingLog: (e) => summary.report(e),
    connect: connectOptions(properties, io.err),
  });
  // the data directory lost or damaged something while it was closed: never continue silently
  for (const finding of engine.recoveryFindings) io.err(`warning: ${dataDir}: ${finding}`);
  const close = engine.close.bind(engine);
  engine.close = async () => {
    try {
      await close();
    } finally {
      summary.flush();
    }
  };
  return engine;
}

/** the Connect worker's properties from `ksql.connect.worker.config` (a Kafka Connect worker properties file), as ksqlDB takes them */
export function connectOptions(properties: Readonly<Record<string, string>>, logLine: (line: string) => void): { workerProps?: Record<string, string>; logLine: (line: string) => void } {
  const file = properties['ksql.connect.worker.config'];
  return { ...(file ? { workerProps: readWorkerProperties(file) } : {}), logLine };
}
