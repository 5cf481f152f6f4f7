/**
 * ksqlDB's "magic pseudo timestamp" rewrite of WHERE / HAVING conditions: where ROWTIME,
 * WINDOWSTART or WINDOWEND is compared (=, <>, <, <=, >, >=, BETWEEN) with a string literal, the
 * string is read as a timestamp and replaced by its epoch milliseconds, so `ROWTIME > '2020-01-01'`
 * works although ROWTIME is a BIGINT. The string may be partial (`'2018'`, `'2018-05'`,
 * `'2018-05-26T10'`) and may end with a `+hhmm` / `-hhmm` offset or `Z`; without one it is UTC.
 * Elsewhere (e.g. in a projection) such a comparison stays a type error, as in ksqlDB.
 */
import { TypeCheckError } from '../common/errors.js';
import type { Expression } from '../sql/ast.js';
import { mapChildren } from './expression-walk.js';

const PSEUDO_TIMESTAMP_COLUMNS = new Set(['ROWTIME', 'WINDOWSTART', 'WINDOWEND']);

const TIME_PATTERN = 'HH:mm:ss.SSS';

const HELP_MESSAGE =
  '\nRequired format is: "yyyy-MM-dd\'T\'HH:mm:ss.SSS", with an optional numeric 4-digit timezone, for example: ' +
  "'2020-05-26T23:59:58.000' or with tz: '2020-05-26T23:59:58.000+0200'. " +
  "A trailing 'Z' instead of tz indicates the zero UTC offset. " +
  'Partials are also supported, for example "2020-05-26"';

function completeDate(date: string): string {
  const parts = date.split('-');
  if (parts.length === 1) return date + '-01-01';
  if (parts.length === 2) return date + '-01';
  return date;
}

function completeTime(time: string): string {
  if (time.length >= TIME_PATTERN.length) return time;
  return time + TIME_PATTERN.slice(time.length).replace(/[a-zA-Z]/g, '0');
}

function timezoneOf(time: string): string {
  if (time.includes('+')) return time.slice(time.indexOf('+'));
  if (time.includes('-')) return time.slice(time.indexOf('-'));
  return '';
}

/** Offset in minutes of a java ZoneOffset id: +h, +hh, +hh:mm, +hhmm (seconds forms too). */
function offsetMinutes(zone: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const [, sign, h, mm = '0', ss = '0'] = m;
  if (Number(h) > 18 || Number(mm) > 59 || Number(ss) > 59) return undefined;
  const minutes = Number(h) * 60 + Number(mm) + Number(ss) / 60;
  return sign === '-' ? -minutes : minutes;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** ksqlDB's PartialStringToTimestampParser.parse: epoch milliseconds of a (partial) timestamp text. */
export function parsePartialTimestamp(text: string): number {
  let date: string;
  let time: string;
  let timezone: string;
  if (text.includes('T')) {
    date = text.slice(0, text.indexOf('T'));
    const withTimezone = text.slice(text.indexOf('T') + 1);
    timezone = timezoneOf(withTimezone);
    time = completeTime(withTimezone.slice(0, withTimezone.length - timezone.length).replace(/Z$/, ''));
  } else {
    date = completeDate(text);
    time = completeTime('');
    timezone = '';
  }
  const failure = (why: string) => new TypeCheckError(`Failed to parse timestamp '${text}': ${why}${HELP_MESSAGE}`);
  let offset = 0;
  if (timezone.trim() !== '') {
    const o = offsetMinutes(timezone);
    if (o === undefined) throw new TypeCheckError(`Failed to parse timezone '${timezone}': Invalid ID for ZoneOffset, invalid format: ${timezone}`);
    offset = o;
  }
  const full = `${date}T${time}`;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(full);
  if (!m) throw failure(`Text '${full}' could not be parsed`);
  const [year, month, day, hour, minute, second, milli] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  // java's SMART resolver reads 24:00:00.000 as the end of the day (the next midnight)
  const endOfDay = hour === 24 && minute === 0 && second === 0 && milli === 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || (hour > 23 && !endOfDay) || minute > 59 || second > 59) {
    throw failure(`Text '${full}' could not be parsed`);
  }
  // java's SMART resolver moves an overflowing day of month back to the month's last day
  const d = Math.min(day, daysInMonth(year, month));
  const utc = Date.UTC(year, month - 1, d, hour, minute, second, milli);
  return utc - Math.round(offset * 60_000);
}

function isPseudoTimestampColumn(e: Expression): boolean {
  return e.kind === 'ColumnRef' && PSEUDO_TIMESTAMP_COLUMNS.has(e.name);
}

function asTimestamp(e: Expression): Expression | undefined {
  if (e.kind !== 'StringLiteral') return undefined;
  return { kind: 'IntegerLiteral', text: String(parsePartialTimestamp(e.value)), ...(e.pos ? { pos: e.pos } : {}) };
}

/** Rewrites every comparison of ROWTIME / WINDOWSTART / WINDOWEND with a string literal (see the module comment). */
export function rewriteMagicTimestamps(e: Expression): Expression {
  if (e.kind === 'Comparison') {
    if (isPseudoTimestampColumn(e.left)) {
      const right = asTimestamp(e.right);
      if (right) return { ...e, right };
    } else if (isPseudoTimestampColumn(e.right)) {
      const left = asTimestamp(e.left);
      if (left) return { ...e, left };
    }
  } else if (e.kind === 'Between' && isPseudoTimestampColumn(e.operand)) {
    const low = asTimestamp(e.low);
    const high = asTimestamp(e.high);
    if (low || high) return { ...e, low: low ?? e.low, high: high ?? e.high };
  }
  return mapChildren(e, rewriteMagicTimestamps);
}
