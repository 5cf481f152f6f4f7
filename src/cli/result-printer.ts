/**
 * How the CLI shows results: TABULAR (ksqlDB's CLI look: bordered tables sized to the terminal)
 * or JSON (one JSON document per result, one JSON object per row of a query). Everything printed
 * also goes to the spool file when SPOOL is on. Colours only when the output is a terminal.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { StatementResult } from '../index.js';
import type { CliIo, OutputFormat } from './cli-io.js';
import { toJsonText } from './json-text.js';

const ASCII = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|',
};

export type Colors = ReturnType<typeof pc.createColors>;

/** A query's rows as they arrive: the header once, then a line (or JSON object) per row. */
export interface RowSink {
  row(values: readonly unknown[]): void;
  /** the closing border, and the row count */
  end(note?: string): void;
}

export class ResultPrinter {
  format: OutputFormat = 'TABULAR';
  readonly colors: Colors;
  private spool: { path: string; stream: WriteStream } | undefined;

  constructor(private readonly io: CliIo) {
    this.colors = pc.createColors(io.isTTY === true && !process.env.NO_COLOR);
  }

  line(text: string): void {
    this.io.out(text);
    this.spool?.stream.write(text + '\n');
  }

  error(text: string): void {
    this.io.err(this.colors.red(text));
    this.spool?.stream.write(text + '\n');
  }

  /** echo of a statement into the spool file only (ksqlDB spools the commands too) */
  echo(statement: string): void {
    this.spool?.stream.write(statement + '\n');
  }

  get spoolPath(): string | undefined {
    return this.spool?.path;
  }

  async startSpool(path: string): Promise<void> {
    await this.stopSpool();
    const stream = createWriteStream(path, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    this.spool = { path, stream };
  }

  async stopSpool(): Promise<void> {
    const s = this.spool;
    this.spool = undefined;
    if (s) await new Promise<void>((resolve) => s.stream.end(resolve));
  }

  /** A statement's result; `prefix` (e.g. `file:3:1  `) goes before its message line. */
  result(r: StatementResult, prefix = ''): void {
    if (this.format === 'JSON') {
      this.line(toJsonText(resultJson(r), 2));
      return;
    }
    if (r.results) {
      // RUN SCRIPT: each statement of the script as if typed
      for (const nested of r.results) this.result(nested, prefix);
      return;
    }
    if (!r.table || prefix) for (const l of (prefix + r.message).split('\n')) this.line(l);
    if (r.table) this.table(r.table.columns, r.table.rows);
  }

  table(columns: readonly string[], rows: readonly (readonly unknown[])[]): void {
    if (this.format === 'JSON') {
      this.line(toJsonText(rows.map((r) => rowObject(columns, r)), 2));
      return;
    }
    const cells = rows.map((r) => r.map(cellText));
    const widths = fitWidths(columns, cells, this.io.columns?.());
    const t = this.newTable(columns, widths);
    for (const r of cells) t.push(r);
    this.boldHeader(withoutRowRules(t.toString().split('\n')), columns).forEach((l) => this.line(l));
  }

  /** Streams a query's rows: TABULAR borders sized once from the terminal, JSON a line per row. */
  rows(columns: readonly string[]): RowSink {
    let count = 0;
    if (this.format === 'JSON') {
      return {
        row: (values) => {
          count++;
          this.line(toJsonText(rowObject(columns, values)));
        },
        end: () => {},
      };
    }
    const term = this.io.columns?.();
    // like ksqlDB's CLI: every column gets an equal share of the terminal
    const share = term ? Math.max(4, Math.floor((term - columns.length - 1) / columns.length) - 2) : undefined;
    const widths = columns.map((c) => share ?? Math.max(c.length, 12));
    const header = this.newTable(columns, widths).toString().split('\n');
    const rule = header[header.length - 1]!;
    this.boldHeader(header.slice(0, -1), columns).forEach((l) => this.line(l));
    this.line(rule);
    return {
      row: (values) => {
        count++;
        const t = this.newTable(undefined, widths);
        t.push(values.map(cellText));
        for (const l of t.toString().split('\n').slice(1, -1)) this.line(l);
      },
      end: (note) => {
        this.line(rule);
        if (note) this.line(note);
        else this.line(`${count} row${count === 1 ? '' : 's'}`);
      },
    };
  }

  /** the lines between the top rule and the rule under the header, in bold on a terminal */
  private boldHeader(lines: string[], columns: readonly string[]): string[] {
    if (!columns.length) return lines;
    const end = lines.findIndex((l, i) => i > 0 && l.startsWith('+'));
    return lines.map((l, i) => (i > 0 && i < end ? this.colors.bold(l) : l));
  }

  private newTable(head: readonly string[] | undefined, widths: readonly number[]): Table.Table {
    return new Table({
      // the header is made bold after layout: escape codes in cells upset cli-table3's wrapping
      ...(head ? { head: [...head] } : {}),
      colWidths: widths.map((w) => w + 2),
      wordWrap: true,
      wrapOnWordBoundary: false,
      chars: ASCII,
      style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
    });
  }
}

/** ksqlDB's tables rule off the header only, not every row (cli-table3 rules both alike) */
function withoutRowRules(lines: readonly string[]): string[] {
  const isRule = (l: string) => /^\+[-+]*\+$/.test(l);
  return lines.filter((l, i) => !isRule(l) || i <= 2 || i === lines.length - 1);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Buffer.isBuffer(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') return toJsonText(v);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return String(v);
}

function rowObject(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null]));
}

function resultJson(r: StatementResult): Record<string, unknown> {
  return {
    '@type': r.kind,
    statementText: r.statement,
    message: r.message,
    ...(r.queryId ? { queryId: r.queryId } : {}),
    ...(r.table ? { rows: r.table.rows.map((row) => rowObject(r.table!.columns, row)) } : {}),
    ...(r.results ? { results: r.results.map(resultJson) } : {}),
  };
}

/** Natural column widths, narrowed (widest first) until the table fits the terminal. */
function fitWidths(columns: readonly string[], rows: readonly (readonly string[])[], term: number | undefined): number[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map((l) => l.length)))));
  if (!term) return widths;
  // each column costs its width, two padding spaces and a border
  const budget = term - 1 - 3 * columns.length;
  while (widths.reduce((a, w) => a + w, 0) > budget) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 8) break;
    widths[widest]!--;
  }
  return widths;
}
