/**
 * The `sluice` command (commander). With no command: the REPL on a terminal, else the SQL of `-e`
 * or of stdin. Subcommands load their modules lazily so the prompt is up fast. Any SluiceError is
 * printed as its message alone: a user never sees a stack for bad input.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_DATA_DIR, processIo, type CliIo, type OutputFormat } from './cli-io.js';

function packageVersion(): string {
  // dist/src/cli/main.js -> the package root
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

interface SessionFlags {
  dataDir: string;
  kafka?: string;
  set: Record<string, string>;
  execute?: string;
  output?: OutputFormat;
  quiet?: boolean;
  server?: string;
}

function collectSet(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CommanderError(1, 'sluice.set', `error: --set needs name=value, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

const dataDirOption = () =>
  new Option('--data-dir <dir>', 'data directory of the embedded log').default(DEFAULT_DATA_DIR, `${DEFAULT_DATA_DIR} in the current directory`);
const kafkaOption = () =>
  new Option('--kafka <host:port>', 'run on a Kafka cluster (bootstrap.servers; other Kafka client settings with --set, e.g. security.protocol); --data-dir then holds only local state');
/** --kafka is bootstrap.servers among the session properties (the engine picks Kafka from it) */
function withKafka<T extends { kafka?: string; set?: Record<string, string> }>(flags: T): T {
  return flags.kafka ? { ...flags, set: { ...(flags.set ?? {}), 'bootstrap.servers': flags.kafka } } : flags;
}
const setOption = () => new Option('--set <name=value>', 'a session property, e.g. auto.offset.reset=earliest (repeatable)').argParser(collectSet).default({}, 'none');
const outputOption = () => new Option('--output <format>', 'how results are shown').choices(['TABULAR', 'JSON', 'tabular', 'json']).argParser((v) => v.toUpperCase());

/**
 * A subcommand's session flags merged with the ones given before it (`sluice --set a=b run f.sql`):
 * with positional options the root parses those, and they used to be accepted and then ignored.
 * The subcommand's own flags win; its --set adds to the root's.
 */
function withRootFlags<T extends SessionFlags>(flags: T, command: Command): T {
  const root = command.parent;
  if (!root) return flags;
  const rootFlags = root.opts<SessionFlags>();
  const dataDirGiven = command.getOptionValueSource('dataDir') !== 'default';
  return {
    ...flags,
    dataDir: dataDirGiven ? flags.dataDir : rootFlags.dataDir,
    ...(flags.kafka === undefined && rootFlags.kafka !== undefined ? { kafka: rootFlags.kafka } : {}),
    set: { ...rootFlags.set, ...flags.set },
    ...(flags.output === undefined && rootFlags.output !== undefined ? { output: rootFlags.output } : {}),
  };
}

function program(io: CliIo, done: (code: Promise<number>) => void): Command {
  const root = new Command('sluice')
    .description('A streaming SQL engine: ksqlDB-style SQL over an embedded log.\nWith no command: an interactive SQL prompt on a terminal, else runs the SQL given by -e or on stdin.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .enablePositionalOptions()
    .addOption(dataDirOption())
    .addOption(kafkaOption())
    .addOption(setOption())
    .option('-e, --execute <sql>', 'run these statements and exit')
    .addOption(outputOption())
    .option('--server <url>', 'run statements on a sluice server (credentials from SLUICE_USER/SLUICE_PASSWORD or SLUICE_API_KEY)')
    .allowExcessArguments(true)
    .action((flags: SessionFlags, command: Command) => {
      if (command.args.length) throw new CommanderError(1, 'sluice.unknownCommand', `sluice: unknown command '${command.args[0]}' (see sluice --help)`);
      done(interactive(withKafka(flags), io));
    });
  root
    .command('repl')
    .description('the interactive SQL prompt (the default on a terminal)')
    .addOption(dataDirOption())
    .addOption(kafkaOption())
    .addOption(setOption())
    .addOption(outputOption())
    .option('--server <url>', 'run statements on a sluice server')
    .action((flags: SessionFlags, command: Command) => done(interactive(withKafka(withRootFlags(flags, command)), io, true)));
  root
    .command('run')
    .description('run the statements of FILE that it has not applied yet, then keep its queries running')
    .argument('<file>', 'a .sql file')
    .addOption(dataDirOption())
    .addOption(kafkaOption())
    .option('--until-idle', 'exit once every query has consumed all available input')
    .addOption(setOption())
    .addOption(outputOption())
    .option('--quiet', 'no progress bars')
    .action((file: string, flags: SessionFlags & { untilIdle?: boolean }, command: Command) =>
      done(import('./run.js').then((m) => m.runRun(file, withKafka(withRootFlags(flags, command)), io))),
    );
  root
    .command('check')
    .description('parse each statement of the files and report it (exit 1 on the first error)')
    .argument('<files...>', '.sql files')
    .action((files: string[]) => done(import('./check.js').then((m) => m.runCheck(files, io))));
  root
    .command('verify')
    .description('check a data directory: batch checksums, offsets, state stores against their changelogs, the command log (exit 1 on problems)')
    .requiredOption('--data-dir <dir>', 'the data directory to check')
    .option('--json', 'print the report as JSON')
    .action((flags: { dataDir: string; json?: boolean }) => done(import('./verify.js').then((m) => m.verifyCommand(resolve(flags.dataDir), io, { json: !!flags.json }))));
  root
    .command('test')
    .description('run conformance-format test cases (ksqlDB query-validation JSON files)')
    .argument('[files...]', 'test case JSON files')
    .option('-s, --sql-file <file>', 'statements of a single case')
    .option('-i, --input-file <file>', 'its input records (JSON)')
    .option('-o, --output-file <file>', 'its expected output records (JSON)')
    .option('--json <file>', 'write the results as JSON')
    .option('--filter <text>', 'only cases whose name or file contains TEXT')
    .option('--quiet', 'print only failures and the summary')
    .option('--via-server', 'REST cases: send statements and queries over HTTP to a sluice server on each case\'s engine')
    .option('--functions <module>', 'load functions from a module exporting registerFunctions(registry) (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action((files: string[], flags: import('./test-command.js').TestOptions) =>
      done(import('./test-command.js').then((m) => m.runTest(files, flags, io))),
    );
  root
    .command('server')
    .description("serve ksqlDB's REST API over the data directory (HTTP/1.1 and HTTP/2, optional auth and TLS)")
    .option('--data-dir <dir>', 'data directory of the embedded log')
    .addOption(kafkaOption())
    .option('--listen <url>', 'listener, e.g. http://0.0.0.0:8088 (default) or https://0.0.0.0:8443')
    .option('--config <file>', 'server configuration (JSON; see README "Server")')
    .option('--users <file>', 'users file: turns on authentication (Basic and bearer API keys)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--kafka-listen <host:port>', 'also serve the Kafka protocol over the log (default 127.0.0.1:9092; none: off)')
    .addOption(setOption())
    .action((flags: import('../server/server-command.js').ServerFlags & { kafka?: string }) =>
      done(import('../server/server-command.js').then((m) => m.runServer(withKafka(flags), io))),
    );
  root
    .command('connect-distributed')
    .description("a Kafka Connect worker, as connect-distributed.sh runs one: workers with one group.id form a Connect cluster on the Kafka cluster the file names; Connect's REST API on its listeners")
    .argument('<worker.properties>', 'a Kafka Connect worker properties file (bootstrap.servers, group.id, listeners, *.storage.topic, converters, plugin.path, ...)')
    .option('--data-dir <dir>', "the engine's local state (default: a scratch directory removed on exit)")
    .addOption(setOption())
    .action((file: string, flags: import('./connect-distributed.js').ConnectDistributedFlags) =>
      done(import('./connect-distributed.js').then((m) => m.runConnectDistributed(file, flags, io))),
    );
  root
    .command('hash-secret')
    .description('print the scrypt hash of a password or API key read from stdin, for the users file')
    .option('--scram', 'print a users-file entry with the scrypt hash and SCRAM-SHA-256/512 credentials (Kafka listener SASL)')
    .action((flags: { scram?: boolean }) => done(import('../server/server-command.js').then((m) => m.runHashSecret(io, flags))));
  for (const c of [root, ...root.commands]) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  }
  return root;
}

async function interactive(flags: SessionFlags, io: CliIo, forceRepl = false): Promise<number> {
  const dataDir = resolve(flags.dataDir);
  if (flags.execute !== undefined) return (await import('./batch.js')).runBatch(flags.execute, { ...flags, dataDir }, io);
  if (!forceRepl && !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return (await import('./batch.js')).runBatch(Buffer.concat(chunks).toString('utf8'), { ...flags, dataDir }, io);
  }
  return (await import('./repl.js')).runRepl({ ...flags, dataDir }, io);
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let work: Promise<number> | undefined;
  try {
    await program(io, (w) => (work = w)).parseAsync(argv, { from: 'user' });
    return work ? await work : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'sluice.unknownCommand' || e.code === 'sluice.set') io.err(e.message);
      return e.exitCode;
    }
    const { isSluiceError } = await import('../index.js');
    if (isSluiceError(e)) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
}
