/**
 * ISO text forms of DATE / TIME / TIMESTAMP as ksqlDB casts them (UTC). Parsing accepts partial
 * values ('1970-01' is a DATE, '00:01' a TIME, '2020-01-01T10' a TIMESTAMP) and an optional zone on
 * timestamps, like ksqlDB's PartialStringToTimestampParser.
 */
import { ExecutionError } from '../common/errors.js';

const MS_PER_DAY = 86_400_000;

const TS_RE =
  /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const TIME_RE = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?$/;

function bad(kind: string, text: string): never {
  throw new ExecutionError(`Failed to parse ${kind}: '${text}'`);
}

function fracToMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Number((frac + '00').slice(0, 3));
}

export function parseTimestampText(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) bad('timestamp', text);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = mo ? Number(mo) : 1;
  const day = d ? Number(d) : 1;
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(y), month) || hour > 23 || minute > 59 || second > 59) {
    bad('timestamp', text);
  }
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second, fracToMs(frac));
  if (Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
    ms -= sign * offMin * 60_000;
  }
  return ms;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function parseDateText(text: string): number {
  const t = text.trim();
  if (t.includes('T') || t.includes(':')) bad('date', text);
  return Math.floor(parseTimestampText(t) / MS_PER_DAY);
}

export function parseTimeText(text: string): number {
  const m = TIME_RE.exec(text.trim());
  if (!m) bad('time', text);
  const [, h, mi, s, frac] = m;
  const hour = Number(h);
  const minute = Number(mi);
  const second = s ? Number(s) : 0;
  if (hour > 23 || minute > 59 || second > 59) bad('time', text);
  return ((hour * 60 + minute) * 60 + second) * 1000 + fracToMs(frac);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function formatYear(y: number): string {
  return y < 0 ? '-' + pad(-y, 4) : y > 9999 ? '+' + y : pad(y, 4);
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC, as ksqlDB's CAST(ts AS STRING). */
export function formatTimestampText(ms: number): string {
  const d = new Date(ms);
  return (
    `${formatYear(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

export function formatDateText(days: number): string {
  const d = new Date(days * MS_PER_DAY);
  return `${formatYear(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Java LocalTime.toString: HH:mm, then :ss and .SSS only when non-zero. */
export function formatTimeText(msOfDay: number): string {
  const ms = msOfDay % 1000;
  const totalSec = Math.floor(msOfDay / 1000);
  const s = totalSec % 60;
  const mi = Math.floor(totalSec / 60) % 60;
  const h = Math.floor(totalSec / 3600);
  let out = `${pad(h, 2)}:${pad(mi, 2)}`;
  if (s !== 0 || ms !== 0) out += `:${pad(s, 2)}`;
  if (ms !== 0) out += `.${pad(ms, 3)}`;
  return out;
}

export { MS_PER_DAY };
