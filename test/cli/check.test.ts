/** `sluice check` run as a child process on temporary files. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../sql/conformance-corpus.js';

const bin = join(repoRoot(), 'bin', 'sluice.js');
const dir = mkdtempSync(join(tmpdir(), 'sluice-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'check', ...args], (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('sluice check', () => {
  it('lists each statement of valid files', async () => {
    const a = file('a.sql', "CREATE STREAM pageviews (id INT KEY) WITH (kafka_topic='p', value_format='JSON');\n\n-- a comment\nSELECT * FROM pageviews EMIT CHANGES;\n");
    const b = file('b.sql', 'SHOW TOPICS;');
    const r = await run(a, b);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], `ok   ${a}:1:1  CREATE STREAM PAGEVIEWS`);
    assert.equal(lines[1], `ok   ${a}:4:1  SELECT FROM PAGEVIEWS EMIT CHANGES`);
    assert.equal(lines[2], `ok   ${b}:1:1  SHOW TOPICS`);
    assert.match(lines[3]!, /^3 statements ok$/);
  });

  it('stops at the first error with the file, position, caret and expectation', async () => {
    const bad = file('bad.sql', 'SHOW STREAMS;\nSELECT * FRM s;\nSHOW TABLES;\n');
    const r = await run(bad);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim(), `ok   ${bad}:1:1  SHOW STREAMS`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], `error ${bad}: line 2:10: Syntax Error`);
    assert.equal(lines[1], "Expecting {',', 'FROM'}");
    assert.equal(lines[2], 'Statement: SELECT * FRM s;');
    assert.equal(lines[3], '  SELECT * FRM s;');
    assert.equal(lines[4], '           ^');
    assert.doesNotMatch(r.stderr, /at .*\.js/); // no stack trace
  });

  it('fails on a missing file and without arguments', async () => {
    const missing = await run(join(dir, 'nope.sql'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*nope\.sql/);
    const none = await run();
    assert.equal(none.code, 1);
    assert.match(none.stderr, /missing required argument 'files'/);
  });
});
