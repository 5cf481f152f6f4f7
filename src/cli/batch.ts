/** `sluice -e "SQL"` and SQL piped on stdin: run the statements non-interactively, then exit. */
import type { CliIo, OutputFormat } from './cli-io.js';
import { openEngine } from './open-engine.js';
import { ResultPrinter } from './result-printer.js';
import { CliSession } from './session.js';
import { RemoteEngine } from './remote-engine.js';

/** A server's session engine, after checking the server answers and takes the credentials. */
export async function connectRemote(url: string, properties: Record<string, string>): Promise<RemoteEngine> {
  const remote = new RemoteEngine({ url, properties });
  try {
    await remote.connect();
  } catch (e) {
    await remote.close();
    throw e;
  }
  return remote;
}

export interface BatchOptions {
  readonly dataDir: string;
  readonly set: Record<string, string>;
  readonly output?: OutputFormat;
  /** a sluice server's URL: run there instead of on an embedded engine */
  readonly server?: string;
}

export async function runBatch(sql: string, options: BatchOptions, io: CliIo): Promise<number> {
  const engine = options.server ? await connectRemote(options.server, options.set) : await openEngine(options.dataDir, options.set, io);
  const printer = new ResultPrinter(io);
  if (options.output) printer.format = options.output;
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  try {
    const ok = await new CliSession(engine, printer).run(sql, { signal: controller.signal });
    return ok ? 0 : 1;
  } finally {
    process.off('SIGINT', cancel);
    await printer.stopSpool();
    await engine.close();
  }
}
