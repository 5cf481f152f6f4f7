/**
 * SCRAM credentials for the users file: SCRAM needs PBKDF2-derived keys that a scrypt hash
 * cannot provide, so a user who logs in to the Kafka listener with SCRAM has, next to its
 * "password", a "scram" entry per mechanism:
 *   "scram": { "SCRAM-SHA-256": "<salt b64>$<iterations>$<StoredKey b64>$<ServerKey b64>", ... }
 * scramCredentialFor(password) makes such an entry (scripts/ or an embedding program).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ScramCredential } from './scram.js';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export function scramCredentialFor(password: string, mechanism: ScramMechanism, iterations = 4096, salt = randomBytes(16)): string {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const salted = pbkdf2Sync(password, salt, iterations, hash === 'sha256' ? 32 : 64, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const serverKey = createHmac(hash, salted).update('Server Key').digest();
  return `${salt.toString('base64')}$${iterations}$${storedKey.toString('base64')}$${serverKey.toString('base64')}`;
}

export function parseScramCredential(entry: string): ScramCredential | undefined {
  const parts = entry.split('$');
  if (parts.length !== 4) return undefined;
  return { salt: Buffer.from(parts[0]!, 'base64'), iterations: Number(parts[1]), storedKey: Buffer.from(parts[2]!, 'base64'), serverKey: Buffer.from(parts[3]!, 'base64') };
}

/** reads the "scram" entries of a users file (user -> mechanism -> credential) and the users' roles */
export async function readScramCredentials(usersFile: string): Promise<{ credentials: Map<string, Map<string, ScramCredential>>; roles: Map<string, 'admin' | 'read-only'> }> {
  const doc = JSON.parse(await readFile(usersFile, 'utf8')) as { users?: Record<string, { scram?: Record<string, string>; role?: string }> };
  const out = new Map<string, Map<string, ScramCredential>>();
  const roles = new Map<string, 'admin' | 'read-only'>();
  for (const [name, u] of Object.entries(doc.users ?? {})) {
    roles.set(name, u.role === 'read-only' ? 'read-only' : 'admin');
    const m = new Map<string, ScramCredential>();
    for (const [mech, entry] of Object.entries(u.scram ?? {})) {
      const c = parseScramCredential(entry);
      if (c) m.set(mech, c);
    }
    if (m.size) out.set(name, m);
  }
  return { credentials: out, roles };
}
