/** Opens the engine the way every command does: the data directory, --set properties, the processing log on stderr. */
import { Engine } from '../index.js';
import type { Log } from '../index.js';
import type { CliIo } from './cli-io.js';

export async function openEngine(dataDir: string, properties: Record<string, string>, io: CliIo, log?: Log): Promise<Engine> {
  return Engine.open({
    ...(log ? { log } : { dataDir }),
    properties,
    onProcessingLog: (e) => io.err(`processing error in ${e.queryId} (${e.step}${e.topic ? ` ${e.topic}/${e.partition}@${e.offset}` : ''}): ${e.message}`),
  });
}
