/**
 * Formats and parses DATE / TIME / TIMESTAMP values with java.time.format.DateTimeFormatter
 * patterns, matching what ksqlDB (which runs on the JVM, Locale en_US) prints and accepts.
 * Shared by the date/time functions, TIMESTAMP_FORMAT timestamp extraction and CAST.
 *
 * Parsing follows ksqlDB's StringToTimestampParser: fields missing from the text default to
 * 1970-01-01T00:00:00.000 in the given zone (a zone or offset in the text wins), DST gaps move
 * the time later and overlaps keep the offset java.time would keep.
 */
import {
  MS_PER_DAY,
  civilFromDays,
  dayOfYear,
  daysFromCivil,
  floorDiv,
  floorMod,
  isoDayOfWeek,
  lengthOfMonth,
  lengthOfYear,
  type CivilDate,
} from './civil-calendar.js';
import {
  FIELD_NAMES,
  compilePattern,
  fieldOf,
  tokenCategory,
  type FieldSpec,
  type FieldToken,
  type NumField,
  type TextField,
  type TextStyle,
  type Token,
} from './date-pattern.js';
import {
  UTC_ZONE,
  formatOffsetId,
  localToInstant,
  offsetForLocal,
  readZoneText,
  resolveZone,
  zoneDisplayName,
  type Zone,
} from './time-zones.js';

export { compilePattern } from './date-pattern.js';
export { resolveZone, type Zone } from './time-zones.js';

// ---------------------------------------------------------------------------------------------
// Public API

/** TIMESTAMP (ms since epoch) -> text in the zone (an id like 'UTC', 'Europe/London', '+02:00'). */
export function formatTimestamp(ms: number, pattern: string, zone: string | Zone = UTC_ZONE): string {
  const z = typeof zone === 'string' ? resolveZone(zone) : zone;
  checkInstant(ms);
  const offsetMs = z.offsetAt(ms);
  const local = ms + offsetMs;
  const days = floorDiv(local, MS_PER_DAY);
  return format(compilePattern(pattern), new FormatTarget('timestamp', days, local - days * MS_PER_DAY, z, offsetMs, ms));
}

/** DATE (days since epoch) -> text. Time or zone letters in the pattern are an error. */
export function formatDate(days: number, pattern: string): string {
  return format(compilePattern(pattern), new FormatTarget('date', days, 0));
}

/** TIME (ms since midnight) -> text. Date or zone letters in the pattern are an error. */
export function formatTime(msOfDay: number, pattern: string): string {
  if (msOfDay < 0 || msOfDay >= MS_PER_DAY) throw new Error(`Invalid value for MilliOfDay (valid values 0 - 86399999): ${msOfDay}`);
  return format(compilePattern(pattern), new FormatTarget('time', 0, msOfDay));
}

export interface ParseOptions {
  /** DateTimeFormatterBuilder.parseCaseInsensitive(): 'jan', 'pm', 't' match 'Jan', 'PM', 'T' */
  readonly caseInsensitive?: boolean;
  /** text after what the pattern matched is ignored (java.text.Format.parse(String)), not an error */
  readonly ignoreTrailingText?: boolean;
}

/**
 * Text -> TIMESTAMP (ms since epoch). Missing fields default to 1970-01-01T00:00 in `zone`,
 * unless the text carries its own zone or offset.
 */
export function parseTimestamp(text: string, pattern: string, zone: string | Zone = UTC_ZONE, options: ParseOptions = {}): number {
  const z = typeof zone === 'string' ? resolveZone(zone) : zone;
  const parsed = parseFields(text, compilePattern(pattern), options.caseInsensitive ?? false);
  return wrapResolve(text, () => resolveTimestamp(parsed, z));
}

export interface DateParseOptions extends ParseOptions {
  /** LocalDate.parse: the text must give a whole date (STRINGTODATE); otherwise missing fields default to 1970-01-01 */
  readonly requireFullDate?: boolean;
}

/** Text -> DATE (days since epoch). A pattern with time-of-day fields is an error. */
export function parseDate(text: string, pattern: string, options: DateParseOptions = {}): number {
  const compiled = compilePattern(pattern);
  const parsed = parseFields(text, compiled, options.caseInsensitive ?? true, options.ignoreTrailingText ?? false);
  return wrapResolve(text, () => {
    if (parsed.hasTime) throw new Error('Date format contains time field.');
    const date = resolveDate(parsed, options.requireFullDate ?? false);
    return date.days;
  });
}

/** Text -> TIME (ms since midnight). A pattern with date fields is an error. */
export function parseTime(text: string, pattern: string, options: ParseOptions = {}): number {
  const compiled = compilePattern(pattern);
  const parsed = parseFields(text, compiled, options.caseInsensitive ?? true);
  return wrapResolve(text, () => {
    const dateField = [...parsed.values.keys()].find((k) => DATE_KEYS.has(k));
    if (dateField) throw new Error(`Unsupported field: ${FIELD_NAMES[dateField as NumField]}`);
    // '24:00' is midnight: the extra day has no TIME to go to
    return resolveTime(parsed).ms;
  });
}

// ---------------------------------------------------------------------------------------------
// Text tables (Locale en_US)

const MONTHS_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS_SHORT = MONTHS_FULL.map((m) => m.slice(0, 3));
const MONTHS_NARROW = MONTHS_FULL.map((m) => m[0]!);
// indexed by ISO day of week - 1 (Monday first)
const DAYS_FULL = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const DAYS_SHORT = DAYS_FULL.map((d) => d.slice(0, 3));
const DAYS_NARROW = DAYS_FULL.map((d) => d[0]!);
const QUARTERS_FULL = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];
const QUARTERS_SHORT = ['Q1', 'Q2', 'Q3', 'Q4'];
const QUARTERS_NARROW = ['1', '2', '3', '4'];
const ERAS: Record<TextStyle, string[]> = { short: ['BC', 'AD'], full: ['Before Christ', 'Anno Domini'], narrow: ['B', 'A'] };
const AM_PM = ['AM', 'PM'];

/** The texts of a text field, and the field value of the first entry. */
function textTable(field: TextField, style: TextStyle): { texts: string[]; first: number } {
  switch (field) {
    case 'month':
      return { texts: style === 'full' ? MONTHS_FULL : style === 'short' ? MONTHS_SHORT : MONTHS_NARROW, first: 1 };
    case 'dayOfWeek':
      return { texts: style === 'full' ? DAYS_FULL : style === 'short' ? DAYS_SHORT : DAYS_NARROW, first: 1 };
    case 'localDow': {
      // the localized (Sunday-first) numbering of the US locale
      const base = style === 'full' ? DAYS_FULL : style === 'short' ? DAYS_SHORT : DAYS_NARROW;
      return { texts: [base[6]!, ...base.slice(0, 6)], first: 1 };
    }
    case 'quarter':
      return { texts: style === 'full' ? QUARTERS_FULL : style === 'short' ? QUARTERS_SHORT : QUARTERS_NARROW, first: 1 };
    case 'era':
      return { texts: ERAS[style], first: 0 };
    case 'amPm':
      return { texts: AM_PM, first: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

class FormatTarget {
  private civil: CivilDate | undefined;

  constructor(
    readonly kind: 'date' | 'time' | 'timestamp',
    readonly days: number,
    readonly msOfDay: number,
    readonly zone?: Zone,
    readonly offsetMs?: number,
    readonly instantMs?: number,
  ) {}

  get date(): CivilDate {
    return (this.civil ??= civilFromDays(this.days));
  }

  /** Throws Java's error for a field this kind of value does not have. */
  supports(token: FieldToken): boolean {
    const category = tokenCategory(token);
    if (category === 'date') return this.kind !== 'time';
    if (category === 'time') return this.kind !== 'date';
    return this.kind === 'timestamp';
  }

  unsupported(token: FieldToken): never {
    const category = tokenCategory(token);
    if (category === 'zone') {
      if (token.spec.type === 'zoneId' || token.spec.type === 'zoneName') {
        throw new Error(`Unable to extract ZoneId from temporal ${this.describe()}`);
      }
      throw new Error('Unsupported field: OffsetSeconds');
    }
    throw new Error(`Unsupported field: ${FIELD_NAMES[fieldOf(token)!]}`);
  }

  private describe(): string {
    const d = this.date;
    const date = `${d.year}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
    const t = this.msOfDay;
    const time = `${pad(Math.floor(t / 3_600_000), 2)}:${pad(Math.floor(t / 60_000) % 60, 2)}:${pad(Math.floor(t / 1000) % 60, 2)}`;
    return this.kind === 'date' ? date : this.kind === 'time' ? time : `${date}T${time}`;
  }

  numberValue(field: NumField): number {
    const d = this.kind === 'time' ? undefined : this.date;
    const t = this.msOfDay;
    switch (field) {
      case 'year':
        return d!.year;
      case 'yearOfEra':
        return d!.year >= 1 ? d!.year : 1 - d!.year;
      case 'month':
        return d!.month;
      case 'day':
        return d!.day;
      case 'dayOfYear':
        return dayOfYear(d!);
      case 'quarter':
        return Math.floor((d!.month - 1) / 3) + 1;
      case 'alignedDowInMonth':
        return ((d!.day - 1) % 7) + 1;
      case 'localDow':
        return localizedDow(this.days);
      case 'weekOfMonth':
        return computeWeek(startOfWeekOffset(d!.day, localizedDow(this.days)), d!.day);
      case 'weekOfWeekBasedYear':
        return weekOfWeekBasedYear(this.days);
      case 'weekBasedYear':
        return weekBasedYear(this.days);
      case 'hourOfDay':
        return Math.floor(t / 3_600_000);
      case 'clockHourOfAmPm':
        return Math.floor(t / 3_600_000) % 12 || 12;
      case 'hourOfAmPm':
        return Math.floor(t / 3_600_000) % 12;
      case 'clockHourOfDay':
        return Math.floor(t / 3_600_000) || 24;
      case 'minute':
        return Math.floor(t / 60_000) % 60;
      case 'second':
        return Math.floor(t / 1000) % 60;
      case 'milliOfDay':
        return t;
      case 'nanoOfSecond':
        return (t % 1000) * 1_000_000;
      case 'nanoOfDay':
        return t * 1_000_000;
    }
  }

  textIndex(field: TextField): number {
    switch (field) {
      case 'era':
        return this.date.year >= 1 ? 1 : 0;
      case 'month':
        return this.date.month;
      case 'dayOfWeek':
        return isoDayOfWeek(this.days);
      case 'localDow':
        return localizedDow(this.days);
      case 'quarter':
        return Math.floor((this.date.month - 1) / 3) + 1;
      case 'amPm':
        return this.msOfDay >= 43_200_000 ? 1 : 0;
    }
  }
}

// US week definition (WeekFields.of(Locale.US)): weeks start on Sunday, the first week has >= 1 day
const MIN_DAYS_IN_FIRST_WEEK = 1;

function localizedDow(days: number): number {
  return floorMod(isoDayOfWeek(days) - 7, 7) + 1;
}

function startOfWeekOffset(day: number, dow: number): number {
  const weekStart = floorMod(day - dow, 7);
  return weekStart + 1 > MIN_DAYS_IN_FIRST_WEEK ? 7 - weekStart : -weekStart;
}

function computeWeek(offset: number, day: number): number {
  return Math.floor((7 + offset + (day - 1)) / 7);
}

function weekOfWeekBasedYear(days: number): number {
  const d = civilFromDays(days);
  const doy = dayOfYear(d);
  const offset = startOfWeekOffset(doy, localizedDow(days));
  let week = computeWeek(offset, doy);
  if (week === 0) return weekOfWeekBasedYear(days - doy);
  if (week > 50) {
    const newYearWeek = computeWeek(offset, lengthOfYear(d.year) + MIN_DAYS_IN_FIRST_WEEK);
    if (week >= newYearWeek) week = week - newYearWeek + 1;
  }
  return week;
}

function weekBasedYear(days: number): number {
  const d = civilFromDays(days);
  const doy = dayOfYear(d);
  const offset = startOfWeekOffset(doy, localizedDow(days));
  const week = computeWeek(offset, doy);
  if (week === 0) return d.year - 1;
  const newYearWeek = computeWeek(offset, lengthOfYear(d.year) + MIN_DAYS_IN_FIRST_WEEK);
  return week >= newYearWeek ? d.year + 1 : d.year;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

function format(compiled: { tokens: readonly Token[] }, target: FormatTarget): string {
  let out = '';
  const emit = (tokens: readonly Token[], optional: boolean): boolean => {
    for (const token of tokens) {
      if (token.kind === 'literal') out += token.text;
      else if (token.kind === 'optional') {
        const mark = out;
        if (!emit(token.tokens, true)) out = mark;
      } else {
        if (!target.supports(token)) {
          // an optional section only prints when the value has all of its fields
          if (optional) return false;
          target.unsupported(token);
        }
        out += formatField(token, target);
      }
    }
    return true;
  };
  emit(compiled.tokens, false);
  return out;
}

function formatField(token: FieldToken, target: FormatTarget): string {
  const spec = token.spec;
  switch (spec.type) {
    case 'number':
      return formatNumber(target.numberValue(spec.field), spec, FIELD_NAMES[spec.field]);
    case 'reduced':
      return pad(floorMod(target.numberValue(spec.field), 100), 2);
    case 'fraction':
      return pad(target.numberValue('nanoOfSecond'), 9).slice(0, spec.width);
    case 'text': {
      const { texts, first } = textTable(spec.field, spec.style);
      return texts[target.textIndex(spec.field) - first]!;
    }
    case 'offset':
      return formatOffset(target.offsetMs!, spec.pattern, spec.zeroText);
    case 'localizedOffset':
      return formatLocalizedOffset(target.offsetMs!, spec.full);
    case 'zoneId':
      return target.zone!.id;
    case 'zoneName':
      return zoneDisplayName(target.zone!, target.instantMs!, spec.full ? 'long' : 'short');
  }
}

function formatNumber(value: number, spec: Extract<FieldSpec, { type: 'number' }>, name: string): string {
  if (spec.sign === 'notNegative' && value < 0) {
    throw new Error(`Field ${name} cannot be printed as the value ${value} cannot be negative according to the SignStyle`);
  }
  const digits = String(Math.abs(value));
  if (digits.length > spec.max) {
    throw new Error(`Field ${name} cannot be printed as the value ${value} exceeds the maximum print width of ${spec.max}`);
  }
  let sign = value < 0 ? '-' : '';
  if (spec.sign === 'exceedsPad' && value >= 0 && spec.min < 19 && digits.length > spec.min) sign = '+';
  return sign + (digits.length < spec.min ? '0'.repeat(spec.min - digits.length) + digits : digits);
}

const OFFSET_PATTERNS = ['+HH', '+HHmm', '+HH:mm', '+HHMM', '+HH:MM', '+HHMMss', '+HH:MM:ss', '+HHMMSS', '+HH:MM:SS'];

/** DateTimeFormatterBuilder.OffsetIdPrinterParser.format */
function formatOffset(offsetMs: number, pattern: string, zeroText: string): string {
  const type = OFFSET_PATTERNS.indexOf(pattern);
  const total = Math.trunc(offsetMs / 1000);
  const abs = Math.abs(total);
  const h = Math.floor(abs / 3600);
  const m = Math.floor(abs / 60) % 60;
  const s = abs % 60;
  const colon = type % 2 === 0 ? ':' : '';
  let out = (total < 0 ? '-' : '+') + pad(h, 2);
  let printed = h;
  if (type >= 3 || (type >= 1 && m > 0)) {
    out += colon + pad(m, 2);
    printed += m;
    if (type >= 7 || (type >= 5 && s > 0)) {
      out += colon + pad(s, 2);
      printed += s;
    }
  }
  return printed === 0 ? zeroText : out;
}

/** 'GMT', 'GMT+8', 'GMT+5:30' (short) or 'GMT+08:00' (full). */
function formatLocalizedOffset(offsetMs: number, full: boolean): string {
  const total = Math.trunc(offsetMs / 1000);
  if (total === 0) return 'GMT';
  const abs = Math.abs(total);
  const h = Math.floor(abs / 3600);
  const m = Math.floor(abs / 60) % 60;
  const s = abs % 60;
  let out = 'GMT' + (total < 0 ? '-' : '+');
  if (full) {
    out += `${pad(h, 2)}:${pad(m, 2)}`;
    if (s) out += `:${pad(s, 2)}`;
  } else {
    out += String(h);
    if (m || s) {
      out += `:${pad(m, 2)}`;
      if (s) out += `:${pad(s, 2)}`;
    }
  }
  return out;
}

function checkInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new Error(`Invalid timestamp: ${ms}`);
}

// ---------------------------------------------------------------------------------------------
// Parsing: text -> field values

/** Thrown inside the parser; `index` is where the text stopped matching. */
class ParseFailure {
  constructor(readonly index: number) {}
}

const DATE_KEYS = new Set<string>([
  'year',
  'yearOfEra',
  'era',
  'month',
  'day',
  'dayOfYear',
  'dayOfWeek',
  'quarter',
  'alignedDowInMonth',
  'localDow',
  'weekOfMonth',
  'weekOfWeekBasedYear',
  'weekBasedYear',
]);

interface ParsedFields {
  readonly text: string;
  readonly values: Map<string, number>;
  zone?: Zone;
  offsetMs?: number;
  /** whether any time-of-day field was parsed */
  readonly hasTime: boolean;
}

class FieldParser {
  values = new Map<string, number>();
  zone: Zone | undefined;
  offsetMs: number | undefined;

  constructor(
    private readonly text: string,
    private readonly ci: boolean,
  ) {}

  parse(tokens: readonly Token[], pos: number): number {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token.kind === 'literal') pos = this.literal(token.text, pos);
      else if (token.kind === 'optional') {
        const saved = { values: new Map(this.values), zone: this.zone, offsetMs: this.offsetMs };
        try {
          pos = this.parse(token.tokens, pos);
        } catch (e) {
          if (!(e instanceof ParseFailure)) throw e;
          this.values = saved.values;
          this.zone = saved.zone;
          this.offsetMs = saved.offsetMs;
        }
      } else pos = this.field(token, pos);
    }
    return pos;
  }

  private matches(pos: number, expected: string): boolean {
    const actual = this.text.slice(pos, pos + expected.length);
    return this.ci ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
  }

  private literal(expected: string, pos: number): number {
    if (!this.matches(pos, expected)) throw new ParseFailure(pos);
    return pos + expected.length;
  }

  private set(key: string, value: number, pos: number): void {
    const prior = this.values.get(key);
    if (prior !== undefined && prior !== value) {
      const name = FIELD_NAMES[key as NumField] ?? key;
      throw new ResolveError(`Conflict found: Field ${name} ${prior} differs from ${name} ${value} (at index ${pos})`);
    }
    this.values.set(key, value);
  }

  private field(token: FieldToken, pos: number): number {
    const spec = token.spec;
    switch (spec.type) {
      case 'number': {
        if (['localDow', 'weekOfMonth', 'weekOfWeekBasedYear', 'weekBasedYear'].includes(spec.field)) {
          throw new ResolveError(`Parsing pattern letter '${token.letter}' is not supported`);
        }
        const r = this.number(pos, spec.min, spec.max, spec.sign, token.subsequentWidth);
        this.set(spec.field, r.value, pos);
        return r.end;
      }
      case 'reduced': {
        if (spec.field === 'weekBasedYear') throw new ResolveError(`Parsing pattern letter '${token.letter}' is not supported`);
        const r = this.number(pos, 2, 2, 'notNegative', token.subsequentWidth);
        this.set(spec.field, 2000 + r.value, pos);
        return r.end;
      }
      case 'fraction': {
        let end = pos;
        while (end < this.text.length && end - pos < spec.width && isDigit(this.text.charCodeAt(end))) end++;
        if (end - pos < spec.width) throw new ParseFailure(pos);
        this.set('nanoOfSecond', Number(this.text.slice(pos, end).padEnd(9, '0')), pos);
        return end;
      }
      case 'text': {
        if (spec.field === 'localDow') throw new ResolveError(`Parsing pattern letter '${token.letter}' is not supported`);
        const { texts, first } = textTable(spec.field, spec.style);
        let best = -1;
        for (let i = 0; i < texts.length; i++) {
          if (this.matches(pos, texts[i]!) && (best < 0 || texts[i]!.length > texts[best]!.length)) best = i;
        }
        if (best < 0) throw new ParseFailure(pos);
        this.set(spec.field, best + first, pos);
        return pos + texts[best]!.length;
      }
      case 'offset': {
        const r = this.offset(pos, spec.pattern, spec.zeroText);
        this.setOffset(r.offsetMs, pos);
        return r.end;
      }
      case 'localizedOffset': {
        const r = this.localizedOffset(pos, spec.full);
        this.setOffset(r.offsetMs, pos);
        return r.end;
      }
      case 'zoneId':
      case 'zoneName': {
        const c = this.text[pos];
        if (c === '+' || c === '-') {
          const r = this.offset(pos, '+HH:MM:ss', 'Z');
          this.zone = resolveZone(formatOffsetId(r.offsetMs));
          return r.end;
        }
        const r = readZoneText(this.text, pos, this.ci);
        if (!r) throw new ParseFailure(pos);
        this.zone = r.zone;
        return r.end;
      }
    }
  }

  private setOffset(offsetMs: number, pos: number): void {
    if (this.offsetMs !== undefined && this.offsetMs !== offsetMs) throw new ParseFailure(pos);
    this.offsetMs = offsetMs;
  }

  /** NumberPrinterParser.parse in strict mode, including adjacent value parsing. */
  private number(pos: number, min: number, max: number, sign: 'normal' | 'exceedsPad' | 'notNegative', subsequentWidth: number): { value: number; end: number } {
    const text = this.text;
    const start = pos;
    let negative = false;
    let positive = false;
    const c = text[pos];
    if (c === '+' || c === '-') {
      if (sign === 'notNegative' || (sign === 'normal' && c === '+')) throw new ParseFailure(pos);
      negative = c === '-';
      positive = c === '+';
      pos++;
    }
    let effMax = max + subsequentWidth;
    let digits = 0;
    for (let pass = 0; pass < 2; pass++) {
      digits = 0;
      while (digits < effMax && pos + digits < text.length && isDigit(text.charCodeAt(pos + digits))) digits++;
      if (digits < min) throw new ParseFailure(start);
      if (subsequentWidth > 0 && pass === 0) effMax = Math.max(min, digits - subsequentWidth);
      else break;
    }
    // EXCEEDS_PAD in strict mode accepts '+' only on values wider than the pad
    if (positive && sign === 'exceedsPad' && digits <= min) throw new ParseFailure(start);
    const value = Number(text.slice(pos, pos + digits));
    return { value: negative ? -value : value, end: pos + digits };
  }

  /** OffsetIdPrinterParser.parse: '+HH', '+HHMM', '+HH:MM:ss', ... or the zero text ('Z'). */
  private offset(pos: number, pattern: string, zeroText: string): { offsetMs: number; end: number } {
    const text = this.text;
    const c = text[pos];
    if (c !== '+' && c !== '-') {
      if (this.matches(pos, zeroText)) return { offsetMs: 0, end: pos + zeroText.length };
      throw new ParseFailure(pos);
    }
    const colon = pattern.includes(':');
    const minutesRequired = pattern.includes('MM');
    const minutesAllowed = minutesRequired || pattern.includes('mm');
    const secondsRequired = pattern.includes('SS');
    const secondsAllowed = secondsRequired || pattern.includes('ss');
    let p = pos + 1;
    const two = (at: number): number | undefined =>
      at + 2 <= text.length && isDigit(text.charCodeAt(at)) && isDigit(text.charCodeAt(at + 1)) ? Number(text.slice(at, at + 2)) : undefined;
    const h = two(p);
    if (h === undefined) throw new ParseFailure(pos);
    p += 2;
    let m = 0;
    let s = 0;
    const part = (required: boolean, allowed: boolean): number | undefined => {
      if (!allowed) return undefined;
      const at = colon ? p + 1 : p;
      const v = (!colon || text[p] === ':') ? two(at) : undefined;
      if (v === undefined) {
        if (required) throw new ParseFailure(pos);
        return undefined;
      }
      p = at + 2;
      return v;
    };
    const mm = part(minutesRequired, minutesAllowed);
    if (mm !== undefined) {
      m = mm;
      s = part(secondsRequired, secondsAllowed) ?? 0;
    }
    if (h > 18 || m > 59 || s > 59) throw new ParseFailure(pos);
    const total = ((h * 60 + m) * 60 + s) * 1000;
    return { offsetMs: c === '-' ? -total : total, end: p };
  }

  /** 'GMT', 'GMT+8', 'GMT+08:00', 'GMT-5:30'. */
  private localizedOffset(pos: number, full: boolean): { offsetMs: number; end: number } {
    if (!this.matches(pos, 'GMT')) throw new ParseFailure(pos);
    const text = this.text;
    let p = pos + 3;
    const c = text[p];
    if (c !== '+' && c !== '-') return { offsetMs: 0, end: p };
    p++;
    const hm = (full ? /^(\d{2}):(\d{2})(?::(\d{2}))?/ : /^(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?/).exec(text.slice(p));
    if (!hm) throw new ParseFailure(pos);
    const h = Number(hm[1]);
    const m = Number(hm[2] ?? 0);
    const s = Number(hm[3] ?? 0);
    if (h > 18 || m > 59 || s > 59) throw new ParseFailure(pos);
    const total = ((h * 60 + m) * 60 + s) * 1000;
    return { offsetMs: c === '-' ? -total : total, end: p + hm[0].length };
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A parse that matched the text but whose values do not make a valid date/time. */
class ResolveError extends Error {}

const TIME_KEYS = new Set(['hourOfDay', 'clockHourOfAmPm', 'hourOfAmPm', 'clockHourOfDay', 'amPm', 'minute', 'second', 'milliOfDay', 'nanoOfSecond', 'nanoOfDay']);

function parseFields(text: string, compiled: { pattern: string; tokens: readonly Token[] }, ci: boolean, ignoreTrailingText = false): ParsedFields {
  const parser = new FieldParser(text, ci);
  let end: number;
  try {
    end = parser.parse(compiled.tokens, 0);
  } catch (e) {
    if (e instanceof ParseFailure) throw new Error(`Text '${text}' could not be parsed at index ${e.index}`);
    if (e instanceof ResolveError) throw new Error(`Text '${text}' could not be parsed: ${e.message}`);
    throw e;
  }
  if (end < text.length && !ignoreTrailingText) throw new Error(`Text '${text}' could not be parsed, unparsed text found at index ${end}`);
  const hasTime = [...parser.values.keys()].some((k) => TIME_KEYS.has(k));
  const parsed: ParsedFields = { text, values: parser.values, hasTime };
  if (parser.zone) parsed.zone = parser.zone;
  if (parser.offsetMs !== undefined) parsed.offsetMs = parser.offsetMs;
  return parsed;
}

function wrapResolve<T>(text: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (e) {
    if (e instanceof ResolveError) throw new Error(`Text '${text}' could not be parsed: ${e.message}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing: field values -> date / time / instant (java.time's SMART resolver)

const RANGES: Record<string, [number, number]> = {
  yearOfEra: [1, 999_999_999],
  year: [-999_999_999, 999_999_999],
  era: [0, 1],
  month: [1, 12],
  day: [1, 31],
  dayOfYear: [1, 366],
  dayOfWeek: [1, 7],
  quarter: [1, 4],
  alignedDowInMonth: [1, 7],
  hourOfDay: [0, 23],
  clockHourOfAmPm: [1, 12],
  hourOfAmPm: [0, 11],
  clockHourOfDay: [1, 24],
  amPm: [0, 1],
  minute: [0, 59],
  second: [0, 59],
  milliOfDay: [0, 86_399_999],
  nanoOfSecond: [0, 999_999_999],
  nanoOfDay: [0, 86_399_999_999_999],
};

function get(parsed: ParsedFields, key: string): number | undefined {
  const v = parsed.values.get(key);
  if (v === undefined) return undefined;
  const range = RANGES[key];
  if (range && (v < range[0] || v > range[1])) {
    throw new ResolveError(`Invalid value for ${FIELD_NAMES[key as NumField]} (valid values ${range[0]} - ${range[1]}): ${v}`);
  }
  return v;
}

function conflict(field: string, a: number, b: number): never {
  throw new ResolveError(`Conflict found: Field ${field} ${a} differs from ${field} ${b} derived from the other fields`);
}

interface ResolvedTime {
  /** ms since midnight of the fields that were parsed (missing ones are 0) */
  readonly ms: number;
  /** an hour-of-day could be worked out (a "complete" LocalTime in java.time terms) */
  readonly complete: boolean;
  /** '24:00' means midnight at the end of the day */
  readonly excessDay: boolean;
}

function resolveTime(parsed: ParsedFields): ResolvedTime {
  const milliOfDay = get(parsed, 'milliOfDay');
  const nanoOfDay = get(parsed, 'nanoOfDay');
  // SMART resolving reads '24:00' (nothing after the hour) as midnight ending the day
  const endOfDay =
    parsed.values.get('hourOfDay') === 24 &&
    [parsed.values.get('minute'), parsed.values.get('second'), parsed.values.get('nanoOfSecond')].every((v) => !v);
  if (endOfDay) parsed.values.set('hourOfDay', 0);
  let hod = get(parsed, 'hourOfDay');
  const clockHod = get(parsed, 'clockHourOfDay');
  if (clockHod !== undefined) {
    const h = clockHod === 24 ? 0 : clockHod;
    if (hod !== undefined && hod !== h) conflict('HourOfDay', hod, h);
    hod = h;
  }
  let hoap = get(parsed, 'hourOfAmPm');
  const clockHoap = get(parsed, 'clockHourOfAmPm');
  if (clockHoap !== undefined) {
    const h = clockHoap === 12 ? 0 : clockHoap;
    if (hoap !== undefined && hoap !== h) conflict('HourOfAmPm', hoap, h);
    hoap = h;
  }
  const amPm = get(parsed, 'amPm');
  if (hoap !== undefined && amPm !== undefined) {
    const h = amPm * 12 + hoap;
    if (hod !== undefined && hod !== h) conflict('HourOfDay', hod, h);
    hod = h;
  } else if (hod !== undefined && amPm !== undefined && Math.floor(hod / 12) !== amPm) {
    conflict('AmPmOfDay', amPm, Math.floor(hod / 12));
  }
  const minute = get(parsed, 'minute');
  const second = get(parsed, 'second');
  const nano = get(parsed, 'nanoOfSecond');
  const fromParts =
    (hod ?? (hoap !== undefined ? hoap : amPm !== undefined ? amPm * 12 : 0)) * 3_600_000 +
    (minute ?? 0) * 60_000 +
    (second ?? 0) * 1000 +
    Math.floor((nano ?? 0) / 1_000_000);
  const whole = milliOfDay ?? (nanoOfDay !== undefined ? Math.floor(nanoOfDay / 1_000_000) : undefined);
  if (whole !== undefined) {
    if (hod !== undefined || minute !== undefined || second !== undefined) {
      if (fromParts !== whole && (hod !== undefined || minute !== undefined)) conflict('MilliOfDay', whole, fromParts);
    }
    return { ms: whole, complete: true, excessDay: false };
  }
  return { ms: fromParts, complete: hod !== undefined, excessDay: endOfDay };
}

interface ResolvedDate {
  readonly days: number;
  /** the text gave a whole date (java.time could build a LocalDate) */
  readonly complete: boolean;
  /** the 1970 date ksqlDB's parser passes through before the final one (see resolveTimestamp) */
  readonly intermediate?: number;
}

function resolveDate(parsed: ParsedFields, requireFull: boolean): ResolvedDate {
  let year = get(parsed, 'year');
  const yoe = get(parsed, 'yearOfEra');
  const era = get(parsed, 'era');
  if (yoe !== undefined) {
    const y = era === 0 ? 1 - yoe : yoe;
    if (year !== undefined && year !== y) conflict('Year', year, y);
    year = y;
  } else if (era !== undefined && year !== undefined && (year >= 1 ? 1 : 0) !== era) {
    conflict('Era', era, year >= 1 ? 1 : 0);
  }
  const month = get(parsed, 'month');
  let day = get(parsed, 'day');
  const doy = get(parsed, 'dayOfYear');
  const dow = get(parsed, 'dayOfWeek');
  const quarter = get(parsed, 'quarter');
  const alignedDow = get(parsed, 'alignedDowInMonth');

  let full: number | undefined;
  if (year !== undefined && month !== undefined && day !== undefined) {
    // SMART: a day past the month's end is clamped (Feb 31 -> Feb 28/29)
    day = Math.min(day, lengthOfMonth(year, month));
    full = daysFromCivil(year, month, day);
  } else if (year !== undefined && doy !== undefined) {
    if (doy > lengthOfYear(year)) throw new ResolveError(`Invalid date 'DayOfYear 366' as '${year}' is not a leap year`);
    full = daysFromCivil(year, 1, 1) + doy - 1;
  }
  if (full !== undefined) {
    const d = civilFromDays(full);
    if (month !== undefined && month !== d.month) conflict('MonthOfYear', month, d.month);
    if (day !== undefined && day !== d.day) conflict('DayOfMonth', day, d.day);
    if (doy !== undefined && doy !== dayOfYear(d)) conflict('DayOfYear', doy, dayOfYear(d));
    if (dow !== undefined && dow !== isoDayOfWeek(full)) conflict('DayOfWeek', dow, isoDayOfWeek(full));
    if (quarter !== undefined && quarter !== Math.floor((d.month - 1) / 3) + 1) conflict('QuarterOfYear', quarter, Math.floor((d.month - 1) / 3) + 1);
    if (alignedDow !== undefined && alignedDow !== ((d.day - 1) % 7) + 1) conflict('AlignedDayOfWeekInMonth', alignedDow, ((d.day - 1) % 7) + 1);
    // ksqlDB applies the fields one by one to 1970-01-01: day-of-year lands in 1970 (or the
    // parsed year for day 366) before the whole date is set
    const dOfY = dayOfYear(d);
    const intermediateYear = dOfY === 366 ? d.year : 1970;
    return { days: full, complete: true, intermediate: daysFromCivil(intermediateYear, 1, 1) + dOfY - 1 };
  }
  if (requireFull) {
    throw new ResolveError('Unable to obtain LocalDate from TemporalAccessor: the text does not give a whole date');
  }
  // StringToTimestampParser: with(field, value) on 1970-01-01 in ChronoField order
  let days = 0;
  if (dow !== undefined) days += dow - isoDayOfWeek(days);
  if (alignedDow !== undefined) days += alignedDow - (((civilFromDays(days).day - 1) % 7) + 1);
  if (day !== undefined) {
    const c = civilFromDays(days);
    if (day > lengthOfMonth(c.year, c.month)) throw new ResolveError(`Invalid date '${MONTHS_FULL[c.month - 1]!.toUpperCase()} ${day}'`);
    days = daysFromCivil(c.year, c.month, day);
  }
  if (doy !== undefined) {
    if (doy === 366) {
      if (year === undefined) throw new ResolveError('Leap day cannot be parsed without supplying the year field');
    }
    const c = civilFromDays(days);
    if (doy > lengthOfYear(c.year)) throw new ResolveError(`Invalid date 'DayOfYear ${doy}' as '${c.year}' is not a leap year`);
    days = daysFromCivil(c.year, 1, 1) + doy - 1;
  }
  if (month !== undefined) {
    const c = civilFromDays(days);
    days = daysFromCivil(c.year, month, Math.min(c.day, lengthOfMonth(c.year, month)));
  }
  if (year !== undefined) {
    const c = civilFromDays(days);
    days = daysFromCivil(year, c.month, Math.min(c.day, lengthOfMonth(year, c.month)));
  }
  return { days, complete: false };
}

function resolveTimestamp(parsed: ParsedFields, defaultZone: Zone): number {
  const time = resolveTime(parsed);
  const date = resolveDate(parsed, false);
  const local = (date.days + (time.excessDay ? 1 : 0)) * MS_PER_DAY + time.ms;
  if (parsed.offsetMs !== undefined) return local - parsed.offsetMs;
  const zone = parsed.zone ?? defaultZone;
  if (zone.fixedOffsetMs !== null) return local - zone.fixedOffsetMs;
  // a zone in the text with a whole date-time: ZonedDateTime.of semantics (earlier offset in overlaps)
  if (parsed.zone && date.complete && time.complete) return localToInstant(local, zone);
  // otherwise the offset carried from 1970-01-01 through each intermediate value decides overlaps
  let preferred = offsetForLocal(0, zone);
  preferred = offsetForLocal(time.ms, zone, preferred);
  if (date.intermediate !== undefined) preferred = offsetForLocal(date.intermediate * MS_PER_DAY + time.ms, zone, preferred);
  return localToInstant(local, zone, preferred);
}
