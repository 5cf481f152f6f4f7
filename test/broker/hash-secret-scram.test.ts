/** `sluice hash-secret --scram` prints a users-file entry whose SCRAM keys derive from the password (RFC 5802). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseScramCredential } from '../../src/broker/scram-credentials.js';
import { verifySecret } from '../../src/server/auth.js';

test('hash-secret --scram: a scrypt hash and SCRAM-SHA-256/512 credentials of the password on stdin', async () => {
  const bin = fileURLToPath(new URL('../../../bin/sluice.js', import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, [bin, 'hash-secret', '--scram'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let s = '';
    c.stdout.on('data', (d) => (s += d));
    c.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`exit ${code}`))));
    c.stdin.end('s3cret\n');
  });
  const entry = JSON.parse(out) as { password: string; scram: Record<string, string> };
  assert.equal(await verifySecret('s3cret', entry.password), true);
  for (const [mech, hash, size] of [['SCRAM-SHA-256', 'sha256', 32], ['SCRAM-SHA-512', 'sha512', 64]] as const) {
    const c = parseScramCredential(entry.scram[mech]!)!;
    const salted = pbkdf2Sync('s3cret', c.salt, c.iterations, size, hash);
    assert.deepEqual(c.storedKey, createHash(hash).update(createHmac(hash, salted).update('Client Key').digest()).digest());
    assert.deepEqual(c.serverKey, createHmac(hash, salted).update('Server Key').digest());
  }
});
