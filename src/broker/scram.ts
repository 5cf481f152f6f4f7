/**
 * The server side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) for the Kafka listener. A user's
 * SCRAM credential (salt, iterations, StoredKey, ServerKey) comes from the users file's "scram"
 * entry (see scram-credentials.ts); the password itself is never stored.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

type Step = { reply: Buffer; done: boolean; user?: string } | { error: string };

function parseAttrs(s: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) m.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return m;
}

function unescapeName(s: string): string {
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export class ScramExchange {
  private readonly hash: 'sha256' | 'sha512';
  private state: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private cred: ScramCredential | undefined;

  constructor(
    mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    private readonly lookup: (user: string) => Promise<ScramCredential | undefined>,
  ) {
    this.hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  }

  async step(message: Buffer): Promise<Step> {
    const text = message.toString('utf8');
    if (this.state === 'first') {
      // gs2 header "n,," (no channel binding) then client-first-message-bare
      const m = /^([nyp][^,]*),([^,]*),(.*)$/.exec(text);
      if (!m || m[1]!.startsWith('p')) return { error: 'malformed SCRAM client-first message' };
      this.clientFirstBare = m[3]!;
      const attrs = parseAttrs(this.clientFirstBare);
      const user = attrs.get('n');
      const clientNonce = attrs.get('r');
      if (!user || !clientNonce) return { error: 'malformed SCRAM client-first message' };
      this.user = unescapeName(user);
      this.cred = await this.lookup(this.user);
      // an unknown user still gets a plausible challenge, so the reply does not tell
      const salt = this.cred?.salt ?? createHash('sha256').update(`sluice-scram:${this.user}`).digest();
      const iterations = this.cred?.iterations ?? 4096;
      this.nonce = clientNonce + randomBytes(18).toString('base64');
      this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
      this.state = 'final';
      return { reply: Buffer.from(this.serverFirst), done: false };
    }
    if (this.state === 'final') {
      this.state = 'done';
      const proofAt = text.lastIndexOf(',p=');
      if (proofAt < 0) return { error: 'malformed SCRAM client-final message' };
      const withoutProof = text.slice(0, proofAt);
      const attrs = parseAttrs(text);
      // Kafka's check is endsWith (librdkafka sends its client nonce again in front)
      if (!(attrs.get('r') ?? '').endsWith(this.nonce)) return { error: 'SCRAM nonce mismatch' };
      const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
      if (!this.cred) return { error: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM' };
      const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
      const clientSignature = createHmac(this.hash, this.cred.storedKey).update(authMessage).digest();
      if (proof.length !== clientSignature.length) return { error: 'Authentication failed: invalid credentials' };
      const clientKey = Buffer.alloc(proof.length);
      for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
      const storedKey = createHash(this.hash).update(clientKey).digest();
      if (!timingSafeEqual(storedKey, this.cred.storedKey)) return { error: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM' };
      const serverSignature = createHmac(this.hash, this.cred.serverKey).update(authMessage).digest();
      return { reply: Buffer.from(`v=${serverSignature.toString('base64')}`), done: true, user: this.user };
    }
    return { error: 'SCRAM exchange already finished' };
  }
}
