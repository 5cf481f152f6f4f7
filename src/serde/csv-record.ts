/**
 * One CSV record in and out, with the rules of Apache commons-csv's CSVFormat.DEFAULT as ksqlDB
 * uses it (custom delimiter, '"' quotes, no escape char, empty lines skipped, only the first
 * record read).
 */
import { RecordFailure } from './serde-failure.js';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Splits the first record of `text` into raw fields ("" for an empty field). Throws RecordFailure
 * for an unterminated quoted field or text after a closing quote.
 */
export function parseCsvRecord(text: string, delimiter: string): string[] {
  const d = delimiter.charCodeAt(0);
  const len = text.length;
  let pos = 0;
  // CSVFormat.DEFAULT ignores empty lines before the record
  while (pos < len) {
    const c = text.charCodeAt(pos);
    if (c === CR || c === LF) pos++;
    else break;
  }
  const fields: string[] = [];
  for (;;) {
    if (pos < len && text.charCodeAt(pos) === QUOTE) {
      // encapsulated token: "" inside stands for one quote
      let value = '';
      pos++;
      for (;;) {
        const q = text.indexOf('"', pos);
        if (q < 0) throw new RecordFailure('EOF reached before encapsulated token finished');
        value += text.slice(pos, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          pos = q + 2;
          continue;
        }
        pos = q + 1;
        break;
      }
      // only whitespace may sit between the closing quote and the delimiter / end of line
      for (;;) {
        if (pos >= len) break;
        const c = text.charCodeAt(pos);
        if (c === d || c === CR || c === LF) break;
        if (c === 0x20 || c === 0x09 || c === 0x0c) {
          pos++;
          continue;
        }
        throw new RecordFailure('Invalid char between encapsulated token and delimiter');
      }
      fields.push(value);
    } else {
      const start = pos;
      while (pos < len) {
        const c = text.charCodeAt(pos);
        if (c === d || c === CR || c === LF) break;
        pos++;
      }
      fields.push(text.slice(start, pos));
    }
    if (pos < len && text.charCodeAt(pos) === d) {
      pos++;
      continue;
    }
    return fields;
  }
}

function isAsciiAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Prints one record; null fields are empty and never quoted. Quoting follows commons-csv's
 * QuoteMode.MINIMAL of the version ksqlDB ships: the record's first value is quoted unless it
 * starts with an ASCII letter or digit (so "-10" becomes "\"-10\""), any value starting with a
 * char <= '#' or containing the delimiter, a quote, CR or LF is quoted, and so is one ending in
 * whitespace.
 */
export function printCsvRecord(fields: readonly (string | null)[], delimiter: string): string {
  const d = delimiter.charCodeAt(0);
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += delimiter;
    const f = fields[i];
    if (f === null || f === undefined) continue;
    out += needsQuotes(f, i === 0, d) ? `"${f.replaceAll('"', '""')}"` : f;
  }
  return out;
}

function needsQuotes(f: string, first: boolean, d: number): boolean {
  const len = f.length;
  if (len === 0) return first;
  const c0 = f.charCodeAt(0);
  if (first && !isAsciiAlphanumeric(c0)) return true;
  if (c0 <= 0x23) return true;
  for (let i = 0; i < len; i++) {
    const c = f.charCodeAt(i);
    if (c === LF || c === CR || c === QUOTE || c === d) return true;
  }
  return f.charCodeAt(len - 1) <= 0x20;
}
