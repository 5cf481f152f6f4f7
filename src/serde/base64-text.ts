/**
 * Strict base64 for BYTES carried in text formats. Buffer.from(s, 'base64') silently skips bad
 * characters; ksqlDB (java.util.Base64 / Jackson) rejects them, so bad input must fail the record.
 */

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes standard base64; padding optional (java.util.Base64 basic decoder). undefined if invalid. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const eq = text.indexOf('=');
  const dataLen = eq < 0 ? text.length : eq;
  if (eq >= 0 && text.length % 4 !== 0) return undefined;
  // a lone trailing character cannot encode a whole byte
  if (dataLen % 4 === 1) return undefined;
  return Buffer.from(text, 'base64');
}

export function encodeBase64(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('base64');
}
