/** `sluice -e "SQL"` and SQL piped on stdin: run the statements non-interactively, then exit. */
import type { CliIo, OutputFormat } from './cli-io.js';
import { openEngine } from './open-engine.js';
import { ResultPrinter } from './result-printer.js';
import { CliSession } from './session.js';

export interface BatchOptions {
  readonly dataDir: string;
  readonly set: Record<string, string>;
  readonly output?: OutputFormat;
}

export async function runBatch(sql: string, options: BatchOptions, io: CliIo): Promise<number> {
  const engine = await openEngine(options.dataDir, options.set, io);
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
