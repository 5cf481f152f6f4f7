/** The printer on its own: tables fit the terminal, JSON keeps big integers exact, spool copies output. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ResultPrinter } from '../../src/cli/result-printer.js';
import { endsStatement } from '../../src/cli/statement-end.js';
import { tempDir } from '../support/temp-dir.js';

function capture(columns?: number, isTTY = false) {
  const lines: string[] = [];
  const printer = new ResultPrinter({ out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`), isTTY, columns: () => columns });
  return { printer, lines };
}

test('a wide table is narrowed (wrapping its cells) to the terminal width', () => {
  const { printer, lines } = capture(40);
  const long = 'x'.repeat(60);
  printer.table(['ID', 'DESCRIPTION'], [['1', long], ['2', 'short']]);
  assert.ok(lines.every((l) => l.length <= 40), lines.join('\n'));
  assert.equal(lines.join('').split('x').length - 1, 60, 'nothing of the cell is lost');
  const wide = capture(undefined);
  wide.printer.table(['ID', 'DESCRIPTION'], [['1', long]]);
  assert.ok(wide.lines.some((l) => l.includes(long)), 'no terminal: natural widths');
});

test('streamed rows share the terminal; JSON rows keep BIGINT exact', () => {
  const { printer, lines } = capture(61);
  const sink = printer.rows(['A', 'B', 'C']);
  sink.row(['1', 'two', 'three']);
  sink.end();
  assert.ok(lines.every((l) => l.length <= 61), lines.join('\n'));
  assert.equal(lines.at(-1), '1 row');
  const json = capture();
  json.printer.format = 'JSON';
  const rows = json.printer.rows(['ID', 'NAME']);
  rows.row([9007199254740993n, 'a']);
  assert.equal(json.lines[0], '{"ID":9007199254740993,"NAME":"a"}');
});

test('bold headers and red errors only on a terminal', () => {
  const tty = capture(80, true);
  tty.printer.table(['A'], [['1']]);
  tty.printer.error('bad');
  assert.match(tty.lines.join('\n'), /\x1b\[1m\| A \|/);
  assert.match(tty.lines.at(-1)!, /\x1b\[31mbad/);
  const plain = capture(80, false);
  plain.printer.table(['A'], [['1']]);
  plain.printer.error('bad');
  assert.doesNotMatch(plain.lines.join('\n'), /\x1b/);
});

test('SPOOL copies statements and output until it is turned off', async () => {
  const dir = await tempDir();
  try {
    const { printer } = capture();
    const file = join(dir.path, 'spool.txt');
    await printer.startSpool(file);
    printer.echo('SHOW STREAMS;');
    printer.line('a line');
    await printer.stopSpool();
    printer.line('not spooled');
    assert.equal(await readFile(file, 'utf8'), 'SHOW STREAMS;\na line\n');
  } finally {
    await dir.cleanup();
  }
});

test('a statement ends at a semicolon outside quotes and comments', () => {
  assert.equal(endsStatement('SELECT 1;'), true);
  assert.equal(endsStatement('SELECT 1;  -- done\n'), true);
  assert.equal(endsStatement("SELECT ';'"), false);
  assert.equal(endsStatement("SELECT 'it''s;'"), false);
  assert.equal(endsStatement('SELECT 1 -- ;'), false);
  assert.equal(endsStatement('SELECT /* ; */ 1'), false);
  assert.equal(endsStatement('SELECT `a;b`;'), true);
  assert.equal(endsStatement('SELECT 1; SELECT'), false);
});
