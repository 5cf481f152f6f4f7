/** JSON scalar functions: JSON documents held in STRING values. */
import { ExecutionError } from '../../common/errors.js';
import type { ScalarFunction } from '../function-types.js';
import { bound, fn, sig, strict } from './define.js';
import { jsonNodeText, parseJson, tryParseJson, writeJson, type JsonNode } from './json-text.js';
import { sqlValueToJson } from './json-text.js';

const JSON_CATEGORY = 'JSON';

/** JSONPath subset ksqlDB supports: $.name, $['name'], $["name"], $.name[0], $[0]. */
export function tokenizeJsonPath(path: string): string[] {
  let i = path.startsWith('$') ? 1 : 0;
  const tokens: string[] = [];
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i + 1) throw new ExecutionError(`Invalid JSON path: ${path}`);
      tokens.push(path.slice(i + 1, j));
      i = j;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        const end = path.indexOf(q + ']', i + 2);
        if (end < 0) throw new ExecutionError(`Invalid JSON path: ${path}`);
        tokens.push(path.slice(i + 2, end));
        i = end + 2;
      } else {
        const end = path.indexOf(']', i);
        if (end < 0) throw new ExecutionError(`Invalid JSON path: ${path}`);
        tokens.push(path.slice(i + 1, end).trim());
        i = end + 1;
      }
    } else {
      throw new ExecutionError(`Invalid JSON path: ${path}`);
    }
  }
  return tokens;
}

function extractJsonField(json: string, path: string): string | null {
  let node = parseJson(json);
  for (const token of tokenizeJsonPath(path)) {
    if (node === undefined) return null;
    if (node.t === 'array') {
      if (!/^-?\d+$/.test(token)) return null;
      node = node.items[Number(token)];
    } else if (node.t === 'object') {
      node = node.fields.get(token);
    } else {
      return null;
    }
  }
  return node === undefined ? null : jsonNodeText(node);
}

/** JSON_ARRAY_CONTAINS compares by JSON token kind, as ksqlDB's streaming implementation does. */
function jsonElementMatches(node: JsonNode, value: unknown, kind: string): boolean {
  if (value === null) return node.t === 'null';
  switch (kind) {
    case 'INTEGER':
    case 'BIGINT':
      return node.t === 'number' && node.integral && BigInt(node.text) === BigInt(value as number | bigint);
    case 'DOUBLE':
      return node.t === 'number' && !node.integral && Number(node.text) === value;
    case 'STRING':
      return node.t === 'string' && node.v === value;
    case 'BOOLEAN':
      return node.t === 'boolean' && node.v === value;
    default:
      return false;
  }
}

function jsonConcat(...docs: (string | null)[]): string | null {
  const nodes: JsonNode[] = [];
  for (const d of docs) {
    if (d === null) return null;
    const n = parseJson(d);
    if (n === undefined) return null;
    nodes.push(n);
  }
  if (nodes.length === 0) return null;
  if (nodes.every((n) => n.t === 'object')) {
    const fields = new Map<string, JsonNode>();
    for (const n of nodes) for (const [k, v] of (n as Extract<JsonNode, { t: 'object' }>).fields) fields.set(k, v);
    return writeJson({ t: 'object', fields });
  }
  const items = nodes.flatMap((n) => (n.t === 'array' ? n.items : [n]));
  return writeJson({ t: 'array', items });
}

export const jsonFunctions: ScalarFunction[] = [
  fn(
    'EXTRACTJSONFIELD',
    JSON_CATEGORY,
    'Given a STRING that contains JSON data, extracts the value at the specified JSONPath, or NULL if the ' +
      'path does not exist. Text values are returned unquoted, other values as JSON.',
    [sig(['STRING', 'STRING'], 'STRING', strict(extractJsonField))],
  ),
  fn('IS_JSON_STRING', JSON_CATEGORY, 'Returns TRUE if the string can be parsed as a valid JSON value, FALSE otherwise (including NULL).', [
    sig(['STRING'], 'BOOLEAN', (s: string | null) => s !== null && tryParseJson(s) !== undefined),
  ]),
  fn(
    'JSON_ARRAY_CONTAINS',
    JSON_CATEGORY,
    'Parses a string as a JSON array and returns TRUE if it contains the value (compared as a JSON value ' +
      'of the same kind). Returns FALSE for NULL, invalid JSON or a non-array.',
    [
      bound(['STRING', 'T'], 'BOOLEAN', (ctx) => {
        const kind = ctx.argTypes[1]?.kind ?? 'STRING';
        return (json: string | null, value: unknown) => {
          if (json === null) return false;
          const node = tryParseJson(json);
          if (node?.t !== 'array') return false;
          return node.items.some((item) => jsonElementMatches(item, value ?? null, kind));
        };
      }),
    ],
  ),
  fn('JSON_ARRAY_LENGTH', JSON_CATEGORY, 'Returns the number of elements of a JSON array string, or NULL if it is not a valid JSON array.', [
    sig(['STRING'], 'INT', strict((s: string) => {
      const node = parseJson(s);
      return node?.t === 'array' ? node.items.length : null;
    })),
  ]),
  fn(
    'JSON_CONCAT',
    JSON_CATEGORY,
    'Parses the strings as JSON and concatenates them: objects merge their top-level keys (last wins); ' +
      'otherwise non-array values become single-element arrays and the arrays are concatenated. Returns ' +
      'NULL if any input is NULL or not valid JSON.',
    [sig(['STRING'], 'STRING', jsonConcat, { variadic: true })],
  ),
  fn('JSON_KEYS', JSON_CATEGORY, 'Returns the top-level keys of a JSON object string, or NULL if it is not a JSON object.', [
    sig(['STRING'], 'ARRAY<STRING>', strict((s: string) => {
      const node = parseJson(s);
      return node?.t === 'object' ? [...node.fields.keys()] : null;
    })),
  ]),
  fn(
    'JSON_RECORDS',
    JSON_CATEGORY,
    'Parses a JSON object string and returns a map of its top-level keys to their values as strings, or ' +
      'NULL if it is not a JSON object.',
    [
      sig(['STRING'], 'MAP<STRING, STRING>', strict((s: string) => {
        const node = parseJson(s);
        if (node?.t !== 'object') return null;
        return new Map([...node.fields].map(([k, v]) => [k, jsonNodeText(v)]));
      })),
    ],
  ),
  fn('JSON_ITEMS', JSON_CATEGORY, 'Parses a JSON array string and returns its elements as JSON strings, or NULL if it is not a JSON array.', [
    sig(['STRING'], 'ARRAY<STRING>', strict((s: string) => {
      const node = parseJson(s);
      return node?.t === 'array' ? node.items.map(writeJson) : null;
    })),
  ]),
  fn('TO_JSON_STRING', JSON_CATEGORY, 'Converts any value to its JSON text (NULL becomes the text null).', [
    bound(['T'], 'STRING', (ctx) => {
      const type = ctx.argTypes[0];
      return (v: unknown) => sqlValueToJson(v ?? null, type);
    }),
  ]),
];
