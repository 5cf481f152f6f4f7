/**
 * `sluice check FILE.sql...`: parses every statement of each file and lists them; stops at the
 * first syntax error, printing it with the file name. Exit code 0 when all files parse, else 1.
 */
import { readFile } from 'node:fs/promises';
import { ParseError } from '../common/errors.js';
import { parseStatements } from '../sql/parse.js';
import { summarizeStatement } from '../sql/statement-summary.js';
import type { CliIo } from './cli-io.js';

export async function runCheck(args: readonly string[], io: CliIo): Promise<number> {
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
