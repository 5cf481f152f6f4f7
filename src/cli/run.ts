/**
 * `sluice run FILE.sql [--data-dir DIR] [--until-idle] [--set name=value]...`
 * Runs the statements of a file in order, a line per statement, then keeps the persistent
 * queries running until interrupted (or, with --until-idle, until all input is consumed).
 */
import { readFile } from 'node:fs/promises';
import { Engine, ParseError, isSluiceError } from '../index.js';
import type { StatementResult } from '../index.js';
import { parseArgs } from './args.js';
import type { CliIo } from './main.js';
import { formatTable } from './format-table.js';
import { describeError } from './describe-error.js';

export const DEFAULT_DATA_DIR = '.sluice-data';

export async function runRun(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['data-dir', 'set']);
  const [file] = args.positional;
  if (!file || args.positional.length > 1) {
    io.err('usage: sluice run FILE.sql [--data-dir DIR] [--until-idle] [--set name=value]...');
    return 1;
  }
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    io.err(`sluice: cannot read ${file}: ${e.code ?? e.message}`);
    return undefined;
  });
  if (text === undefined) return 1;
  const dataDir = (args.flags.get('data-dir') as string | undefined) ?? DEFAULT_DATA_DIR;
  const engine = await Engine.open({
    dataDir,
    properties: Object.fromEntries(args.sets),
    onProcessingLog: (e) => io.err(`processing error in ${e.queryId} (${e.step}${e.topic ? ` ${e.topic}/${e.partition}@${e.offset}` : ''}): ${e.message}`),
  });
  let stopping = false;
  const stop = () => {
    stopping = true;
    void engine.stop();
  };
  try {
    let statements;
    try {
      statements = engine.parse(text);
    } catch (e) {
      if (e instanceof ParseError) {
        io.err(`${file}:${e.message}`);
        return 1;
      }
      throw e;
    }
    for (const s of statements) {
      let result: StatementResult;
      try {
        result = await engine.executeStatement(s);
      } catch (e) {
        if (!isSluiceError(e)) throw e;
        io.err(describeError(e, file, s));
        return 1;
      }
      io.out(`${file}:${s.pos.line}:${s.pos.column}  ${result.message}`);
      if (result.table) for (const line of formatTable(result.table)) io.out(line);
    }
    if (args.flags.has('until-idle')) {
      await engine.runUntilIdle();
      io.out(`All queries are idle (${engine.queryIds().length} running).`);
      return 0;
    }
    io.out(`Running ${engine.queryIds().length} queries; press Ctrl-C to stop.`);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    engine.start();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stopping) {
          clearInterval(check);
          resolve();
        }
      }, 100);
    });
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await engine.close();
  }
}
