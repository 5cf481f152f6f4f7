/**
 * URL scalar functions, with java.net.URI's parsing (components are percent-decoded, an absent
 * component is NULL, an empty path is '') and URLEncoder/URLDecoder's form encoding.
 */
import { ExecutionError } from '../../common/errors.js';
import type { ScalarFunction } from '../function-types.js';
import { fn, sig, strict } from './define.js';

const URL_CATEGORY = 'URL';

interface JavaUri {
  scheme: string | null;
  userInfo: string | null;
  host: string | null;
  port: number | null;
  path: string | null;
  query: string | null;
  fragment: string | null;
}

/** Percent-decoding as URI's getters do: runs of %XX are decoded together as UTF-8. */
function percentDecode(s: string): string {
  return s.replace(/(%[0-9a-fA-F]{2})+/g, (run) => new TextDecoder().decode(Buffer.from(run.replace(/%/g, ''), 'hex')));
}

export function parseJavaUri(url: string): JavaUri {
  if (/[\x00-\x20"<>\\^`{|}\x7f]/.test(url) || /%(?![0-9a-fA-F]{2})/.test(url)) {
    throw new ExecutionError(`URL input has invalid syntax: ${url}`);
  }
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(url);
  if (!m) throw new ExecutionError(`URL input has invalid syntax: ${url}`);
  const [, scheme, authority, rawPath, rawQuery, rawFragment] = m;
  const uri: JavaUri = { scheme: scheme ?? null, userInfo: null, host: null, port: null, path: null, query: null, fragment: null };
  if (rawFragment !== undefined) uri.fragment = percentDecode(rawFragment);
  if (scheme !== undefined && authority === undefined && !rawPath!.startsWith('/')) {
    // opaque URI (mailto:x@y): no hierarchical components
    return uri;
  }
  uri.path = percentDecode(rawPath ?? '');
  if (rawQuery !== undefined) uri.query = percentDecode(rawQuery);
  if (authority !== undefined && authority.length > 0) {
    const at = authority.lastIndexOf('@');
    if (at >= 0) uri.userInfo = percentDecode(authority.slice(0, at));
    const hostPort = authority.slice(at + 1);
    const hp = /^(\[[0-9a-fA-F:.]+\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (hp && /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?)$/.test(hp[1]!)) {
      uri.host = hp[1]!;
      if (hp[2]) uri.port = Number(hp[2]);
    }
  }
  return uri;
}

/** URLEncoder.encode(s, UTF-8): unreserved [A-Za-z0-9.-*_] kept, space as '+'. */
function urlEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/^[A-Za-z0-9.\-*_]$/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** URLDecoder.decode(s, UTF-8): '+' is a space, %XX runs decode as UTF-8, bad escapes throw. */
function urlDecode(s: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) throw new ExecutionError(`URLDecoder: Illegal hex characters in escape (%) pattern: ${s}`);
  return percentDecode(s.replace(/\+/g, ' '));
}

function extractParameter(url: string, name: string): string | null {
  const query = parseJavaUri(url).query;
  if (query === null) return null;
  for (const param of query.split('&')) {
    const eq = param.indexOf('=');
    if (eq < 0) {
      if (param === name) return '';
    } else if (param.slice(0, eq) === name) {
      return param.slice(eq + 1);
    }
  }
  return null;
}

const component = (get: (u: JavaUri) => string | number | null) => strict((url: string) => get(parseJavaUri(url)));

export const urlFunctions: ScalarFunction[] = [
  fn('URL_ENCODE_PARAM', URL_CATEGORY, 'Escapes a string for use in an application/x-www-form-urlencoded URL parameter.', [
    sig(['STRING'], 'STRING', strict(urlEncode)),
  ]),
  fn('URL_DECODE_PARAM', URL_CATEGORY, 'Unescapes an application/x-www-form-urlencoded URL parameter.', [
    sig(['STRING'], 'STRING', strict(urlDecode)),
  ]),
  fn('URL_EXTRACT_FRAGMENT', URL_CATEGORY, 'Extracts the decoded fragment of a URL, or NULL if it has none.', [
    sig(['STRING'], 'STRING', component((u) => u.fragment)),
  ]),
  fn('URL_EXTRACT_HOST', URL_CATEGORY, 'Extracts the host of a URL, or NULL if it has none.', [
    sig(['STRING'], 'STRING', component((u) => u.host)),
  ]),
  fn(
    'URL_EXTRACT_PARAMETER',
    URL_CATEGORY,
    'Extracts the decoded value of the first query parameter with the given name (empty for a parameter ' +
      'without a value), or NULL if absent.',
    [sig(['STRING', 'STRING'], 'STRING', strict(extractParameter))],
  ),
  fn('URL_EXTRACT_PATH', URL_CATEGORY, 'Extracts the decoded path of a URL.', [sig(['STRING'], 'STRING', component((u) => u.path))]),
  fn('URL_EXTRACT_PORT', URL_CATEGORY, 'Extracts the port of a URL, or NULL if it has none.', [sig(['STRING'], 'INT', component((u) => u.port))]),
  fn('URL_EXTRACT_PROTOCOL', URL_CATEGORY, 'Extracts the protocol (scheme) of a URL, or NULL if it has none.', [
    sig(['STRING'], 'STRING', component((u) => u.scheme)),
  ]),
  fn('URL_EXTRACT_QUERY', URL_CATEGORY, 'Extracts the decoded query string of a URL, or NULL if it has none.', [
    sig(['STRING'], 'STRING', component((u) => u.query)),
  ]),
];
