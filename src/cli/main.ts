/**
 * The `sluice` command. Subcommands live in their own files; each returns an exit code.
 * Any SluiceError is printed as its message alone: a user never sees a stack for bad input.
 */
import { isSluiceError } from '../index.js';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

type Subcommand = (args: string[], io: CliIo) => Promise<number>;

const subcommands: Record<string, { readonly summary: string; readonly load: () => Promise<Subcommand> }> = {
  run: { summary: 'run FILE.sql [--data-dir DIR] [--until-idle] [--set k=v]   run the statements of a file and keep its queries running', load: async () => (await import('./run.js')).runRun },
  test: { summary: 'test FILE.json... | -s stmts.sql -i input.json -o output.json [--json OUT]   run conformance-format tests', load: async () => (await import('./test-command.js')).runTest },
  check: { summary: 'check FILE.sql...   parse each statement and report it', load: async () => (await import('./check.js')).runCheck },
  verify: { summary: 'verify --data-dir DIR [--json]   check a data directory: checksums, offsets, state vs changelogs, command log', load: async () => (await import('./verify.js')).runVerify },
};

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out('usage: sluice <command> [options]\n');
    for (const c of Object.values(subcommands)) io.out('  ' + c.summary);
    return name ? 0 : 1;
  }
  const entry = subcommands[name];
  if (!entry) {
    io.err(`sluice: unknown command '${name}' (try 'sluice --help')`);
    return 1;
  }
  try {
    return await (await entry.load())(rest, io);
  } catch (e) {
    if (isSluiceError(e)) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
}
