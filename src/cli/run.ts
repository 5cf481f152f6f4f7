/**
 * `sluice run FILE.sql [--data-dir DIR] [--until-idle] [--set name=value]... [--quiet]`
 * Runs the statements of a file that it has not applied yet (see applied-statements.ts), a line per
 * statement, then keeps the persistent queries running until interrupted (or, with --until-idle,
 * until all input is consumed, with progress bars on a terminal).
 *
 * SIGTERM or SIGINT stops it gracefully: the step in hand finishes and commits (output, state and
 * offsets together), the engine closes, exit code 0. A second signal exits at once (128 + signal
 * number); that is still safe, as every commit is atomic and a restart resumes after the last one.
 */
import { readFile } from 'node:fs/promises';
import type { CliIo } from './cli-io.js';
import { openLocalLog } from '../index.js';
import { AppliedStatements } from './applied-statements.js';
import { ChangelogReads } from './changelog-reads.js';
import { openEngine } from './open-engine.js';
import { queryPositions, withProgress, type RunStart } from './query-progress.js';
import { ResultPrinter } from './result-printer.js';
import { CliSession } from './session.js';

export interface RunOptions {
  readonly dataDir: string;
  readonly untilIdle?: boolean;
  readonly set: Record<string, string>;
  readonly quiet?: boolean;
  readonly output?: 'TABULAR' | 'JSON';
}

export async function runRun(file: string, options: RunOptions, io: CliIo): Promise<number> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    io.err(`sluice: cannot read ${file}: ${e.code ?? e.message}`);
    return undefined;
  });
  if (text === undefined) return 1;
  const showProgress = process.stderr.isTTY === true && !options.quiet && options.untilIdle === true;
  // with progress bars, the engine gets the log through a watcher of changelog reads (restores)
  const changelogReads = showProgress ? new ChangelogReads() : undefined;
  // (on Kafka, restores read the cluster: no embedded log to watch)
  const log = changelogReads && !options.set['bootstrap.servers'] ? await openLocalLog(options.dataDir) : undefined;
  let engine;
  try {
    engine = await openEngine(options.dataDir, options.set, io, log && changelogReads!.wrap(log));
  } catch (e) {
    await log?.close();
    throw e;
  }
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`sluice: ${signal} again, exiting at once (work since the last commit is redone on restart)`);
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    stopping = true;
    if (!options.quiet) io.err(`sluice: ${signal}, stopping (committing what is processed; signal again to exit at once)`);
    void engine.stop();
    wake?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const printer = new ResultPrinter(io);
    if (options.output) printer.format = options.output;
    const session = new CliSession(engine, printer);
    const applied = await AppliedStatements.open(engine.log, file);
    const runStart: RunStart | undefined =
      options.untilIdle && showProgress ? { startedAt: Date.now(), positions: await queryPositions(engine, 'earliest') } : undefined;
    if (!(await session.run(text, { file, prefixed: true, applied }))) return 1;
    if (stopping) return 0;
    if (options.untilIdle) {
      const progressStream = process.stderr;
      if (showProgress && engine.queryIds().length) {
        const reset = (await engine.execute('SHOW PROPERTIES;'))[0]?.table?.rows.find((r) => r[0] === 'auto.offset.reset')?.at(-1);
        const summary = await withProgress(engine, reset === 'earliest' ? 'earliest' : 'latest', progressStream, engine.runUntilIdle(), () => changelogReads!.restores(), runStart);
        progressStream.write(summary + '\n');
      } else await engine.runUntilIdle();
      if (stopping) return 0;
      // a query stopped by an error policy (its error is already on stderr) fails the run
      const failed = engine.failedQueries().length;
      io.out(`All queries are idle (${engine.queryIds().length - failed} running${failed ? `, ${failed} failed` : ''}).`);
      return failed ? 1 : 0;
    }
    io.out(`Running ${engine.queryIds().length} queries; press Ctrl-C to stop.`);
    engine.start();
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (stopping) resolve();
    });
    return 0;
  } finally {
    // once stopping, a second signal still exits at once (not by the signal) until the process ends
    if (!stopping) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    await engine.close();
    await log?.close();
  }
}
