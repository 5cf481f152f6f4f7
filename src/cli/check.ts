/**
 * `sluice check FILE.sql...`: parses every statement of each file and lists them; stops at the
 * first syntax error, printing it with the file name. Exit code 0 when all files parse, else 1.
 */
import { readFile } from 'node:fs/promises';
import { ParseError } from '../common/errors.js';
import { parseStatements } from '../sql/parse.js';
import { summarizeStatement } from '../sql/statement-summary.js';
import type { CliIo } from './main.js';

const USAGE = 'usage: sluice check FILE.sql...';

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.err(USAGE);
    return args.length === 0 ? 1 : 0;
  }
  let count = 0;
  for (const file of args) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      io.err(`sluice check: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return 1;
    }
    try {
      parseStatements(text, {
        onStatement: (p) => {
          count++;
          io.out(`ok   ${file}:${p.pos.line}:${p.pos.column}  ${summarizeStatement(p.statement)}`);
        },
      });
    } catch (e) {
      if (e instanceof ParseError) {
        io.err(`error ${file}: ${e.message}`);
        return 1;
      }
      throw e;
    }
  }
  io.out(`${count} statement${count === 1 ? '' : 's'} ok`);
  return 0;
}
