import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SEMI_SPACE_FLAG, SEMI_SPACE_MIB, YOUNG_GENERATION_MIB } from '../../src/runtime/young-generation.js';

const bin = fileURLToPath(new URL('../../../bin/sluice.js', import.meta.url));

test('the sluice command runs node with the young generation young-generation.ts states', () => {
  const first = readFileSync(bin, 'utf8').split('\n')[0]!;
  assert.equal(first, `#!/usr/bin/env -S node ${SEMI_SPACE_FLAG}`);
  assert.equal(YOUNG_GENERATION_MIB, 3 * SEMI_SPACE_MIB);
});

test('the sluice command starts through its #! line (env -S splits the flag from node)', async () => {
  const { stdout } = await promisify(execFile)(bin, ['--version']);
  assert.match(stdout, /\d+\.\d+\.\d+/);
});
