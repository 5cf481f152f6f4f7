/**
 * SaslHandshake and SaslAuthenticate (KIP-152: tokens inside Kafka frames). PLAIN checks the
 * users file's scrypt hashes through the REST server's Authenticator; SCRAM-SHA-256/512 use the
 * SCRAM credentials that scram-credentials.ts derives (RFC 5802/7677).
 */
import type { RequestContext } from '../broker-context.js';
import { ErrorCode } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';
import { ScramExchange } from '../scram.js';

export async function saslHandshake(req: Msg, ctx: RequestContext): Promise<Msg> {
  const mechanisms = ctx.broker.saslMechanisms();
  if (!mechanisms.includes(req.mechanism)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
  if (ctx.conn.authenticated && ctx.broker.saslMechanisms().length > 0 && ctx.conn.saslMechanism) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
  ctx.conn.saslMechanism = req.mechanism;
  ctx.conn.scram = undefined;
  return { errorCode: 0, mechanisms };
}

function fail(message: string): Msg {
  return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
}

export async function saslAuthenticate(req: Msg, ctx: RequestContext): Promise<Msg> {
  const mech = ctx.conn.saslMechanism;
  const bytes: Buffer = req.authBytes;
  if (!mech) return { ...fail('SaslHandshake first'), errorCode: ErrorCode.ILLEGAL_SASL_STATE };
  if (mech === 'PLAIN') {
    const parts = bytes.toString('utf8').split('\u0000');
    if (parts.length !== 3) return fail('malformed PLAIN token');
    const [, user, password] = parts as [string, string, string];
    const role = await ctx.broker.verifyPassword(user, password);
    if (!role) return fail('Authentication failed: invalid username or password');
    ctx.conn.principal = user;
    ctx.conn.role = role;
    ctx.conn.authenticated = true;
    return { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
  }
  if (mech === 'SCRAM-SHA-256' || mech === 'SCRAM-SHA-512') {
    let ex = ctx.conn.scram as ScramExchange | undefined;
    if (!ex) ctx.conn.scram = ex = new ScramExchange(mech, (user) => ctx.broker.scramCredential(user, mech));
    const r = await ex.step(bytes);
    if ('error' in r) {
      ctx.conn.scram = undefined;
      return fail(r.error);
    }
    if (r.done) {
      ctx.conn.principal = r.user!;
      ctx.conn.role = ctx.broker.roleOf(r.user!);
      ctx.conn.authenticated = true;
      ctx.conn.scram = undefined;
    }
    return { errorCode: 0, errorMessage: null, authBytes: r.reply, sessionLifetimeMs: 0n };
  }
  return fail(`mechanism ${mech} is not supported`);
}
