/**
 * The interactive prompt, on node:repl: it gives line editing, persistent history with reverse
 * search (Ctrl-R), multi-line input (a Recoverable error asks for more lines until `;`) and
 * completion hooks, so none of that is hand-written. The engine opens in the background while the
 * prompt is already up; the first statement waits for it.
 *
 * Ctrl-C ends a running query (or clears the line being typed); Ctrl-D or `exit` ends the REPL.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import repl from 'node:repl';
import type { Engine } from '../index.js';
import type { CliIo, OutputFormat } from './cli-io.js';
import { endsStatement, isBlank } from './statement-end.js';

export interface ReplOptions {
  readonly dataDir: string;
  readonly set: Record<string, string>;
  readonly output?: OutputFormat;
  /** a sluice server's URL: the prompt runs statements there */
  readonly server?: string;
}

/** SLUICE_HISTORY_FILE overrides the location (tests); an empty value turns history off */
export function historyFile(): string | undefined {
  const env = process.env.SLUICE_HISTORY_FILE;
  if (env !== undefined) return env || undefined;
  return join(homedir(), '.sluice_history');
}

const CLIENT_COMMAND = /^\s*(exit|quit|help)\s*;?\s*$/i;

const HELP = `Statements end with ';' and may span lines. Besides SQL:
  OUTPUT FORMAT TABULAR | JSON;   how results are shown
  SPOOL 'file'; / SPOOL OFF;      copy the session's output to a file
  RUN SCRIPT 'file.sql';          run the statements of a file
  exit, quit or Ctrl-D            leave (Ctrl-C ends a running query)
History: up/down arrows, Ctrl-R searches it. Tab completes names from the catalog.`;

/**
 * node:repl keeps each typed line in the history; a statement typed over several lines is kept
 * as one entry instead (on one line, as the history file holds a line per entry).
 */
function keepAsOneHistoryEntry(server: repl.REPLServer, cmd: string): void {
  const lines = cmd.replace(/\n$/, '').split('\n');
  const history = (server as unknown as { history?: string[] }).history;
  if (lines.length < 2 || !history || history.length < lines.length) return;
  const typed = history.slice(0, lines.length).reverse();
  if (typed.join('\n') !== lines.join('\n')) return;
  history.splice(0, lines.length, lines.map((l) => l.trim()).join(' '));
}

export async function runRepl(options: ReplOptions, io: CliIo): Promise<number> {
  const server = repl.start({
    prompt: 'sluice> ',
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdout.isTTY === true,
    ignoreUndefined: true,
    preview: false,
    eval: (cmd, _context, _file, callback) => {
      if (CLIENT_COMMAND.test(cmd)) {
        const word = CLIENT_COMMAND.exec(cmd)![1]!.toLowerCase();
        if (word === 'help') io.out(HELP);
        else {
          // leaving is not worth recalling
          const history = (server as unknown as { history?: string[] }).history;
          if (history?.[0]?.trim() === cmd.trim()) history.shift();
          server.close();
        }
        return callback(null, undefined);
      }
      if (isBlank(cmd)) return callback(null, undefined);
      if (!endsStatement(cmd)) return callback(new repl.Recoverable(new Error('statement continues')), undefined);
      keepAsOneHistoryEntry(server, cmd);
      evaluate(cmd).then(
        () => callback(null, undefined),
        (e: unknown) => {
          io.err(e instanceof Error ? (e.stack ?? e.message) : String(e));
          callback(null, undefined);
        },
      );
    },
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      Promise.all([import('./completer.js'), ready])
        .then(([m, session]) => m.complete(session.engine as Parameters<typeof m.complete>[0], line))
        .then(
          (r) => callback(null, r),
          () => callback(null, [[], line]),
        );
    },
  });
  // the JavaScript REPL's dot-commands mean nothing here
  for (const name of Object.keys(server.commands)) delete (server.commands as Record<string, unknown>)[name];

  let engine: Pick<Engine, 'parse' | 'close'> | undefined;
  let running: AbortController | undefined;
  // Ctrl-C: end the running query, else drop what is being typed; never leave the REPL
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    if (running) {
      running.abort();
      return;
    }
    server.clearBufferedCommand();
    (server as unknown as { clearLine?: () => void }).clearLine?.();
    server.output.write('\n');
    server.displayPrompt();
  });

  const file = historyFile();
  if (file) await new Promise<void>((resolve) => server.setupHistory(file, () => resolve()));

  // heavy modules and the engine load while the user types
  const ready = (async () => {
    const [{ openEngine }, { ResultPrinter }, { CliSession }] = await Promise.all([import('./open-engine.js'), import('./result-printer.js'), import('./session.js')]);
    const session = options.server ? await (await import('./batch.js')).connectRemote(options.server, options.set) : await openEngine(options.dataDir, options.set, io);
    engine = session;
    const printer = new ResultPrinter(io);
    if (options.output) printer.format = options.output;
    // the first statement should not pay for building the parser
    session.parse('SHOW STREAMS;');
    return new CliSession(session, printer);
  })();
  ready.catch((e: unknown) => {
    io.err(`sluice: cannot ${options.server ? `connect to ${options.server}` : `open ${options.dataDir}`}: ${e instanceof Error ? e.message : String(e)}`);
    server.close();
  });

  // node:repl calls eval for a line typed while the previous one still runs: keep them in order
  let queue: Promise<void> = Promise.resolve();
  function evaluate(cmd: string): Promise<void> {
    const next = queue.then(() => evaluateNow(cmd));
    queue = next.catch(() => {});
    return next;
  }

  async function evaluateNow(cmd: string): Promise<void> {
    const session = await ready;
    running = new AbortController();
    try {
      await session.run(cmd, { signal: running.signal });
    } finally {
      running = undefined;
    }
  }

  await new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // Ctrl-D while a query runs ends it too
  running?.abort();
  await queue;
  const session = await ready.catch(() => undefined);
  await session?.printer.stopSpool();
  await engine?.close();
  // a query's last callback may have re-armed the closed prompt's input: let the process end
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  process.stdin.unref();
  return 0;
}
