/** What every CLI module shares: where lines go, and what the terminal can do. */

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** stdout is a terminal: colours, tables sized to it, progress bars */
  readonly isTTY?: boolean;
  /** terminal width in columns, when known */
  readonly columns?: () => number | undefined;
}

export type OutputFormat = 'TABULAR' | 'JSON';

export const DEFAULT_DATA_DIR = '.sluice-data';

export const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: process.stdout.isTTY === true,
  columns: () => process.stdout.columns,
};
