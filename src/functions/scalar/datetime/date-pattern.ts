/**
 * Compiles a java.time.format.DateTimeFormatter pattern ('yyyy-MM-dd''T''HH:mm:ss.SSSXXX') into
 * tokens, applying DateTimeFormatterBuilder.appendPattern's rules: letter counts, reserved
 * characters, quoting, optional sections and "adjacent value parsing" widths.
 */

export type NumField =
  | 'year'
  | 'yearOfEra'
  | 'month'
  | 'day'
  | 'dayOfYear'
  | 'quarter'
  | 'alignedDowInMonth'
  | 'localDow'
  | 'weekOfMonth'
  | 'weekOfWeekBasedYear'
  | 'weekBasedYear'
  | 'hourOfDay'
  | 'clockHourOfAmPm'
  | 'hourOfAmPm'
  | 'clockHourOfDay'
  | 'minute'
  | 'second'
  | 'milliOfDay'
  | 'nanoOfSecond'
  | 'nanoOfDay';

export type TextField = 'era' | 'month' | 'quarter' | 'dayOfWeek' | 'localDow' | 'amPm';

export type TextStyle = 'short' | 'full' | 'narrow';

/** How a value's sign is printed and parsed (java.time.format.SignStyle). */
export type SignStyle = 'normal' | 'exceedsPad' | 'notNegative';

export type FieldSpec =
  | { readonly type: 'number'; readonly field: NumField; readonly min: number; readonly max: number; readonly sign: SignStyle }
  /** two-digit year: 2000..2099 */
  | { readonly type: 'reduced'; readonly field: NumField }
  /** 'S' repeated: a fixed number of fraction-of-second digits */
  | { readonly type: 'fraction'; readonly width: number }
  | { readonly type: 'text'; readonly field: TextField; readonly style: TextStyle }
  /** X / x / Z offsets, described by Java's offset pattern ('+HHmm', '+HH:MM:ss', ...) */
  | { readonly type: 'offset'; readonly pattern: string; readonly zeroText: string }
  /** O / ZZZZ: 'GMT+8' (short) or 'GMT+08:00' (full) */
  | { readonly type: 'localizedOffset'; readonly full: boolean }
  | { readonly type: 'zoneId' }
  | { readonly type: 'zoneName'; readonly full: boolean };

export interface FieldToken {
  readonly kind: 'field';
  readonly letter: string;
  readonly count: number;
  readonly spec: FieldSpec;
  /**
   * Digits reserved for the fixed-width numbers that follow this one directly ('yyyyMMdd' keeps 4
   * digits of '20180511' for MM and dd), as in Java's adjacent value parsing.
   */
  subsequentWidth: number;
}

export interface LiteralToken {
  readonly kind: 'literal';
  readonly text: string;
}

export interface OptionalToken {
  readonly kind: 'optional';
  readonly tokens: readonly Token[];
}

export type Token = FieldToken | LiteralToken | OptionalToken;

export interface CompiledPattern {
  readonly pattern: string;
  readonly tokens: readonly Token[];
}

/** Java's display names of fields, used in error messages ("Unsupported field: HourOfDay"). */
export const FIELD_NAMES: Record<NumField | TextField, string> = {
  year: 'Year',
  yearOfEra: 'YearOfEra',
  month: 'MonthOfYear',
  day: 'DayOfMonth',
  dayOfYear: 'DayOfYear',
  quarter: 'QuarterOfYear',
  alignedDowInMonth: 'AlignedDayOfWeekInMonth',
  localDow: 'DayOfWeek[WeekFields[SUNDAY,1]]',
  weekOfMonth: 'WeekOfMonth[WeekFields[SUNDAY,1]]',
  weekOfWeekBasedYear: 'WeekOfWeekBasedYear[WeekFields[SUNDAY,1]]',
  weekBasedYear: 'WeekBasedYear[WeekFields[SUNDAY,1]]',
  hourOfDay: 'HourOfDay',
  clockHourOfAmPm: 'ClockHourOfAmPm',
  hourOfAmPm: 'HourOfAmPm',
  clockHourOfDay: 'ClockHourOfDay',
  minute: 'MinuteOfHour',
  second: 'SecondOfMinute',
  milliOfDay: 'MilliOfDay',
  nanoOfSecond: 'NanoOfSecond',
  nanoOfDay: 'NanoOfDay',
  era: 'Era',
  dayOfWeek: 'DayOfWeek',
  amPm: 'AmPmOfDay',
};

const DATE_FIELDS = new Set<string>([
  'year',
  'yearOfEra',
  'month',
  'day',
  'dayOfYear',
  'quarter',
  'alignedDowInMonth',
  'localDow',
  'weekOfMonth',
  'weekOfWeekBasedYear',
  'weekBasedYear',
  'era',
  'dayOfWeek',
]);

/** What a token reads: part of a date, of a time of day, or of a zone. */
export function tokenCategory(token: FieldToken): 'date' | 'time' | 'zone' {
  const spec = token.spec;
  switch (spec.type) {
    case 'number':
    case 'reduced':
    case 'text':
      return DATE_FIELDS.has(spec.field) ? 'date' : 'time';
    case 'fraction':
      return 'time';
    default:
      return 'zone';
  }
}

export function fieldOf(token: FieldToken): NumField | TextField | undefined {
  const spec = token.spec;
  return spec.type === 'number' || spec.type === 'reduced' || spec.type === 'text' ? spec.field : spec.type === 'fraction' ? 'nanoOfSecond' : undefined;
}

const cache = new Map<string, CompiledPattern>();
const CACHE_LIMIT = 1000;

/** Compiles (and caches) a pattern; throws an Error naming the problem for an invalid one. */
export function compilePattern(pattern: string): CompiledPattern {
  let hit = cache.get(pattern);
  if (hit) {
    // keep recently used patterns: re-insert at the end of the Map's order
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  hit = { pattern, tokens: new PatternCompiler(pattern).compile() };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, hit);
  return hit;
}

function isLetter(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

class PatternCompiler {
  private pos = 0;
  /** the number a following fixed-width number adds its width to, per open section */
  private active: (FieldToken | undefined)[] = [undefined];

  constructor(private readonly pattern: string) {}

  compile(): Token[] {
    const stack: Token[][] = [[]];
    const out = (): Token[] => stack[stack.length - 1]!;
    const p = this.pattern;
    while (this.pos < p.length) {
      const c = p[this.pos]!;
      if (isLetter(c)) {
        let end = this.pos + 1;
        while (end < p.length && p[end] === c) end++;
        const count = end - this.pos;
        this.pos = end;
        if (c === 'p') throw new Error(`Pad letter 'p' is not supported in pattern '${p}'`);
        const token: FieldToken = { kind: 'field', letter: c, count, spec: fieldSpec(c, count), subsequentWidth: 0 };
        this.appendField(out(), token);
      } else if (c === "'") {
        const start = this.pos++;
        let text = '';
        for (;;) {
          if (this.pos >= p.length) throw new Error(`Pattern ends with an incomplete string literal: ${p}`);
          if (p[this.pos] === "'") {
            if (p[this.pos + 1] === "'") {
              text += "'";
              this.pos += 2;
              continue;
            }
            this.pos++;
            break;
          }
          text += p[this.pos++];
        }
        // '' outside a literal is one quote
        this.appendLiteral(out(), this.pos - start === 2 ? "'" : text);
      } else if (c === '[') {
        this.pos++;
        stack.push([]);
        this.active.push(undefined);
      } else if (c === ']') {
        this.pos++;
        if (stack.length === 1) throw new Error(`Pattern invalid as it contains ] without previous [: ${p}`);
        const tokens = stack.pop()!;
        this.active.pop();
        out().push({ kind: 'optional', tokens });
        this.active[this.active.length - 1] = undefined;
      } else if (c === '{' || c === '}' || c === '#') {
        throw new Error(`Pattern includes reserved character: '${c}'`);
      } else {
        this.pos++;
        this.appendLiteral(out(), c);
      }
    }
    // unclosed '[' sections end with the pattern, as in Java
    while (stack.length > 1) {
      const tokens = stack.pop()!;
      out().push({ kind: 'optional', tokens });
    }
    return stack[0]!;
  }

  private appendLiteral(out: Token[], text: string): void {
    if (!text) return;
    this.active[this.active.length - 1] = undefined;
    const last = out[out.length - 1];
    if (last?.kind === 'literal') out[out.length - 1] = { kind: 'literal', text: last.text + text };
    else out.push({ kind: 'literal', text });
  }

  private appendField(out: Token[], token: FieldToken): void {
    const level = this.active.length - 1;
    const width = fixedWidth(token.spec);
    const isValue = token.spec.type === 'number' || token.spec.type === 'reduced' || token.spec.type === 'fraction';
    const active = this.active[level];
    if (isValue && active && width !== undefined) {
      active.subsequentWidth += width;
    } else {
      this.active[level] = isValue ? token : undefined;
    }
    out.push(token);
  }
}

/** The width of a value that always has the same number of digits (and no sign). */
function fixedWidth(spec: FieldSpec): number | undefined {
  if (spec.type === 'number') return spec.min === spec.max && spec.sign === 'notNegative' ? spec.max : undefined;
  if (spec.type === 'reduced') return 2;
  if (spec.type === 'fraction') return spec.width;
  return undefined;
}

function tooMany(letter: string): never {
  throw new Error(`Too many pattern letters: ${letter}`);
}

function num(field: NumField, min: number, max: number, sign: SignStyle): FieldSpec {
  return { type: 'number', field, min, max, sign };
}

/** appendValue(field) for one letter, appendValue(field, 2) for two (d, H, m, ...). */
function oneOrTwo(field: NumField, letter: string, count: number): FieldSpec {
  if (count === 1) return num(field, 1, 19, 'normal');
  if (count === 2) return num(field, 2, 2, 'notNegative');
  return tooMany(letter);
}

function yearSpec(field: NumField, count: number): FieldSpec {
  if (count === 2) return { type: 'reduced', field };
  if (count < 4) return num(field, count, 19, 'normal');
  return num(field, count, 19, 'exceedsPad');
}

/** Month, quarter, day-of-week style letters: numbers for 1-2 letters, text for 3-5. */
function textOrNumber(numField: NumField | undefined, textField: TextField, letter: string, count: number): FieldSpec {
  if (count <= 2 && numField) return count === 1 ? num(numField, 1, 19, 'normal') : num(numField, 2, 2, 'notNegative');
  if (count === 3) return { type: 'text', field: textField, style: 'short' };
  if (count === 4) return { type: 'text', field: textField, style: 'full' };
  if (count === 5) return { type: 'text', field: textField, style: 'narrow' };
  return tooMany(letter);
}

function fieldSpec(letter: string, count: number): FieldSpec {
  switch (letter) {
    case 'G':
      if (count > 5) tooMany(letter);
      return { type: 'text', field: 'era', style: count <= 3 ? 'short' : count === 4 ? 'full' : 'narrow' };
    case 'y':
      return yearSpec('yearOfEra', count);
    case 'u':
      return yearSpec('year', count);
    case 'Y':
      return yearSpec('weekBasedYear', count);
    case 'Q':
    case 'q':
      return textOrNumber('quarter', 'quarter', letter, count);
    case 'M':
    case 'L':
      return textOrNumber('month', 'month', letter, count);
    case 'E':
      if (count > 5) tooMany(letter);
      return { type: 'text', field: 'dayOfWeek', style: count <= 3 ? 'short' : count === 4 ? 'full' : 'narrow' };
    case 'e':
      return textOrNumber('localDow', 'localDow', letter, count);
    case 'c':
      if (count === 2) throw new Error('Invalid pattern "cc"');
      return textOrNumber('localDow', 'localDow', letter, count);
    case 'a':
      if (count > 1) tooMany(letter);
      return { type: 'text', field: 'amPm', style: 'short' };
    case 'd':
      return oneOrTwo('day', letter, count);
    case 'D':
      if (count === 1) return num('dayOfYear', 1, 19, 'normal');
      if (count === 2) return num('dayOfYear', 2, 3, 'notNegative');
      if (count === 3) return num('dayOfYear', 3, 3, 'notNegative');
      return tooMany(letter);
    case 'F':
      if (count > 1) tooMany(letter);
      return num('alignedDowInMonth', 1, 19, 'normal');
    case 'w':
      return oneOrTwo('weekOfWeekBasedYear', letter, count);
    case 'W':
      if (count > 1) tooMany(letter);
      return num('weekOfMonth', 1, 19, 'normal');
    case 'H':
      return oneOrTwo('hourOfDay', letter, count);
    case 'k':
      return oneOrTwo('clockHourOfDay', letter, count);
    case 'K':
      return oneOrTwo('hourOfAmPm', letter, count);
    case 'h':
      return oneOrTwo('clockHourOfAmPm', letter, count);
    case 'm':
      return oneOrTwo('minute', letter, count);
    case 's':
      return oneOrTwo('second', letter, count);
    case 'S':
      if (count > 9) throw new Error(`Maximum width must be from 1 to 9 inclusive but was ${count}`);
      return { type: 'fraction', width: count };
    case 'A':
      return count === 1 ? num('milliOfDay', 1, 19, 'normal') : num('milliOfDay', count, 19, 'notNegative');
    case 'n':
      return count === 1 ? num('nanoOfSecond', 1, 19, 'normal') : num('nanoOfSecond', count, 19, 'notNegative');
    case 'N':
      return count === 1 ? num('nanoOfDay', 1, 19, 'normal') : num('nanoOfDay', count, 19, 'notNegative');
    case 'V':
      if (count !== 2) throw new Error('Pattern letter count must be 2: V');
      return { type: 'zoneId' };
    case 'z':
      if (count > 4) tooMany(letter);
      return { type: 'zoneName', full: count === 4 };
    case 'O':
      if (count !== 1 && count !== 4) throw new Error('Pattern letter count must be 1 or 4: O');
      return { type: 'localizedOffset', full: count === 4 };
    case 'X':
    case 'x': {
      if (count > 5) tooMany(letter);
      const patterns = ['+HHmm', '+HHMM', '+HH:MM', '+HHMMss', '+HH:MM:ss'];
      const pattern = count === 1 && letter === 'x' ? '+HHmm' : patterns[count - 1]!;
      const zeroText = letter === 'X' ? 'Z' : count === 1 ? '+00' : count === 3 || count === 5 ? '+00:00' : '+0000';
      return { type: 'offset', pattern, zeroText };
    }
    case 'Z':
      if (count < 4) return { type: 'offset', pattern: '+HHMM', zeroText: '+0000' };
      if (count === 4) return { type: 'localizedOffset', full: true };
      if (count === 5) return { type: 'offset', pattern: '+HH:MM:ss', zeroText: 'Z' };
      return tooMany(letter);
    default:
      throw new Error(`Unknown pattern letter: ${letter}`);
  }
}
