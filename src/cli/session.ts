/**
 * A CLI session over one engine: runs SQL text a statement at a time and shows each result with
 * the printer. The REPL, `sluice -e`, SQL piped on stdin and `sluice run` all go through it, so they
 * show results, errors and the CLI commands (OUTPUT, SPOOL, RUN SCRIPT's nested results) alike.
 */
import { readFile } from 'node:fs/promises';
import { formatResultValue, isSluiceError, parseStatement, toJsonValue } from '../index.js';
import type { Engine, StatementResult } from '../index.js';
import type { ast } from '../index.js';
import { describeError } from './describe-error.js';
import { EditedStatementError, type AppliedStatements } from './applied-statements.js';

type ParsedStatement = ast.ParsedStatement;
import type { ResultPrinter } from './result-printer.js';

export interface RunOptions {
  /** the file the text came from ('' for the prompt, -e or stdin) */
  readonly file?: string;
  /** ends a running query (Ctrl-C) */
  readonly signal?: AbortSignal;
  /** a line per statement prefixed by `file:line:column` (sluice run) */
  readonly prefixed?: boolean;
  /** sluice run: skip what the file has applied already, record what it applies */
  readonly applied?: AppliedStatements;
}

/** What a session needs of an engine: the embedded one, or a server's (RemoteEngine). */
export type SessionEngine = Pick<Engine, 'parse' | 'executeStatement' | 'query'>;

export class CliSession {
  constructor(
    readonly engine: SessionEngine,
    readonly printer: ResultPrinter,
  ) {}

  /** Runs every statement of `text` in order; stops at the first error, shown with its caret. */
  async run(text: string, options: RunOptions = {}): Promise<boolean> {
    const file = options.file ?? '';
    let statements: ParsedStatement[];
    try {
      statements = this.engine.parse(text);
    } catch (e) {
      if (!isSluiceError(e)) throw e;
      this.printer.error(describeError(e, file, undefined, text));
      return false;
    }
    let plan;
    try {
      plan = options.applied?.plan(statements);
    } catch (e) {
      if (!(e instanceof EditedStatementError)) throw e;
      this.printer.error(`${file}:${e.message}`);
      return false;
    }
    for (const s of statements) {
      const prefix = options.prefixed ? `${file}:${s.pos.line}:${s.pos.column}  ` : '';
      const tracked = plan?.get(s);
      if (tracked?.applied) {
        this.printer.line(`${prefix}Already applied, skipped`);
        continue;
      }
      this.printer.echo(s.text);
      try {
        if (s.statement.kind === 'QueryStatement' && s.statement.query.emit === 'CHANGES') {
          // blanks in place of the statements before it keep error positions right within `text`
          await this.push(text.slice(0, s.pos.offset).replace(/[^\n]/g, ' ') + s.text, options.signal);
          continue;
        }
        if (s.statement.kind === 'RunScript') {
          // like ksqlDB's CLI: the script's statements run here one by one, so each shows its
          // result in the output format in force at that point, and push queries stream
          const ok = await this.runScript(s.statement.path, options);
          if (ok && tracked) await options.applied!.record(tracked.index, tracked.digest, s.pos.line);
          if (!ok) return false;
          continue;
        }
        const result = await this.engine.executeStatement(s);
        await this.apply(result);
        this.show(result, prefix);
        if (tracked) await options.applied!.record(tracked.index, tracked.digest, s.pos.line);
      } catch (e) {
        if (!isSluiceError(e)) throw e;
        this.printer.error(describeError(e, file, s, text));
        return false;
      }
    }
    return true;
  }

  private async runScript(path: string, options: RunOptions): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      this.printer.error(`${options.file ? `${options.file}: ` : ''}RUN SCRIPT cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return false;
    }
    return this.run(text, { ...(options.signal ? { signal: options.signal } : {}), file: path, prefixed: options.prefixed ?? false });
  }

  /** A push query: rows as they arrive, until LIMIT or the signal (Ctrl-C) ends it. */
  private async push(sql: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return;
    const query = await this.engine.query(sql, signal ? { signal } : {});
    const json = this.printer.format === 'JSON';
    const sink = this.printer.rows(query.columns.map((c) => c.name));
    try {
      for await (const change of query.changes()) sink.row(change.values.map((v) => (json ? toJsonValue(v) : formatResultValue(v))));
    } finally {
      await query.close();
    }
    const why = await query.ended;
    sink.end(why === 'limit' ? 'Limit Reached\nQuery terminated' : 'Query terminated');
  }

  private show(result: StatementResult, prefix: string): void {
    const stmt = result.kind === 'OutputFormat' ? parseStatement(result.statement) : undefined;
    if (stmt?.kind === 'OutputFormat' && !stmt.format) {
      this.printer.line(`${prefix}Output format: ${this.printer.format}`);
      return;
    }
    this.printer.result(result, prefix);
  }

  /** CLI commands take effect here, also inside RUN SCRIPT */
  private async apply(result: StatementResult): Promise<void> {
    if (result.kind === 'OutputFormat') {
      const stmt = parseStatement(result.statement);
      if (stmt.kind === 'OutputFormat' && stmt.format) this.printer.format = stmt.format;
    } else if (result.kind === 'Spool') {
      const stmt = parseStatement(result.statement);
      if (stmt.kind === 'Spool' && stmt.path !== undefined) await this.printer.startSpool(stmt.path);
      else await this.printer.stopSpool();
    }
    for (const nested of result.results ?? []) await this.apply(nested);
  }
}
