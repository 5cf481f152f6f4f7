/** SQL LIKE (case-sensitive, % and _, optional ESCAPE character) as an anchored RegExp. */
import { ExecutionError } from '../common/errors.js';

export function likeToRegExp(pattern: string, escape?: string): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escape !== undefined && ch === escape) {
      const next = pattern[i + 1];
      if (next === undefined) throw new ExecutionError(`LIKE pattern '${pattern}' ends with the escape character`);
      out += escapeRegExp(next);
      i++;
    } else if (ch === '%') out += '[\\s\\S]*';
    else if (ch === '_') out += '[\\s\\S]';
    else out += escapeRegExp(ch);
  }
  return new RegExp(out + '$');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
