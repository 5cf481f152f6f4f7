/**
 * java.text.SimpleDateFormat in UTC, as TimestampConverter and TimestampRouter use it: its
 * pattern letters (not DateTimeFormatter's: `u` is the day of the week, `S` counts milliseconds),
 * and its lenient parse (digits of any width, out-of-range fields roll over, text after the
 * pattern is ignored).
 */

interface Token {
  readonly letter: string | null;
  readonly count: number;
  readonly text: string;
}

const LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MS_DAY = 86_400_000;

export class SimpleDateFormatError extends Error {}

export function compileSimpleDateFormat(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      let j = i + 1;
      let text = '';
      if (pattern[j] === "'") {
        tokens.push({ letter: null, count: 0, text: "'" });
        i += 2;
        continue;
      }
      for (;;) {
        if (j >= pattern.length) throw new SimpleDateFormatError('Unterminated quote');
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j++];
      }
      tokens.push({ letter: null, count: 0, text });
      i = j + 1;
    } else if (/[a-zA-Z]/.test(c)) {
      if (!LETTERS.includes(c)) throw new SimpleDateFormatError(`Illegal pattern character '${c}'`);
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ letter: c, count: j - i, text: '' });
      i = j;
    } else {
      tokens.push({ letter: null, count: 0, text: c });
      i++;
    }
  }
  return tokens;
}

const pad = (n: number, w: number): string => (n < 0 ? '-' + String(-n).padStart(w, '0') : String(n).padStart(w, '0'));

/** ISO week fields with Java's default (US) rules: weeks start on Sunday, week 1 holds January 1st */
function weekOfYear(d: Date): { week: number; weekYear: number } {
  const year = d.getUTCFullYear();
  const startOfWeek1 = (y: number): number => {
    const jan1 = Date.UTC(y, 0, 1);
    return jan1 - new Date(jan1).getUTCDay() * MS_DAY;
  };
  const t = Date.UTC(year, d.getUTCMonth(), d.getUTCDate());
  const next = startOfWeek1(year + 1);
  if (t >= next) return { week: 1, weekYear: year + 1 };
  return { week: Math.floor((t - startOfWeek1(year)) / (7 * MS_DAY)) + 1, weekYear: year };
}

export function formatSimpleDate(ms: number, pattern: string): string {
  const d = new Date(ms);
  let out = '';
  for (const t of compileSimpleDateFormat(pattern)) {
    if (t.letter === null) {
      out += t.text;
      continue;
    }
    const n = t.count;
    const year = d.getUTCFullYear();
    switch (t.letter) {
      case 'G':
        out += year > 0 ? 'AD' : 'BC';
        break;
      case 'y':
      case 'Y': {
        const y = t.letter === 'y' ? year : weekOfYear(d).weekYear;
        out += n === 2 ? pad(y % 100, 2) : pad(y, n);
        break;
      }
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[d.getUTCMonth()] : n === 3 ? MONTHS[d.getUTCMonth()]!.slice(0, 3) : pad(d.getUTCMonth() + 1, n);
        break;
      case 'w':
        out += pad(weekOfYear(d).week, n);
        break;
      case 'W': {
        const first = new Date(Date.UTC(year, d.getUTCMonth(), 1)).getUTCDay();
        out += pad(Math.floor((d.getUTCDate() + first - 1) / 7) + 1, n);
        break;
      }
      case 'D':
        out += pad(Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / MS_DAY) + 1, n);
        break;
      case 'd':
        out += pad(d.getUTCDate(), n);
        break;
      case 'F':
        out += pad(Math.floor((d.getUTCDate() - 1) / 7) + 1, n);
        break;
      case 'E':
        out += n >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()]!.slice(0, 3);
        break;
      case 'u':
        out += pad(d.getUTCDay() === 0 ? 7 : d.getUTCDay(), n);
        break;
      case 'a':
        out += d.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      case 'H':
        out += pad(d.getUTCHours(), n);
        break;
      case 'k':
        out += pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), n);
        break;
      case 'K':
        out += pad(d.getUTCHours() % 12, n);
        break;
      case 'h':
        out += pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, n);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), n);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), n);
        break;
      case 'S':
        out += pad(d.getUTCMilliseconds(), n);
        break;
      case 'z':
        out += n >= 4 ? 'Coordinated Universal Time' : 'UTC';
        break;
      case 'Z':
        out += '+0000';
        break;
      case 'X':
        out += 'Z';
        break;
    }
  }
  return out;
}

const NUMERIC = new Set(['y', 'Y', 'w', 'W', 'D', 'd', 'F', 'u', 'H', 'k', 'K', 'h', 'm', 's', 'S']);

function isNumericToken(t: Token | undefined): boolean {
  return !!t && t.letter !== null && (NUMERIC.has(t.letter) || ((t.letter === 'M' || t.letter === 'L') && t.count <= 2));
}

/** SimpleDateFormat.parse(text) (lenient, UTC); throws SimpleDateFormatError when nothing could be parsed */
export function parseSimpleDate(text: string, pattern: string, now: number = Date.now()): number {
  const tokens = compileSimpleDateFormat(pattern);
  let pos = 0;
  const f: Record<string, number> = {};
  let offsetMinutes = 0;
  let pm: boolean | undefined;
  let twoDigitYear = false;
  const fail = (): never => {
    throw new SimpleDateFormatError(`Unparseable date: "${text}"`);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.letter === null) {
      // a literal must match; lenient parsing lets whitespace in the pattern match any run of it
      if (text.startsWith(t.text, pos)) pos += t.text.length;
      else if (/^\s+$/.test(t.text)) {
        while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      } else fail();
      continue;
    }
    if (isNumericToken(t)) {
      // abutting numeric fields take exactly `count` digits; otherwise as many as there are
      const abut = isNumericToken(tokens[i + 1]);
      let j = pos;
      let sign = 1;
      if (text[j] === '-' || text[j] === '+') {
        if (text[j] === '-') sign = -1;
        j++;
      }
      const start = j;
      while (j < text.length && /\d/.test(text[j]!) && (!abut || j - start < t.count)) j++;
      if (j === start) fail();
      const value = sign * Number(text.slice(start, j));
      if ((t.letter === 'y' || t.letter === 'Y') && t.count <= 2 && j - start === 2 && sign === 1) twoDigitYear = true;
      f[t.letter === 'L' ? 'M' : t.letter!] = value;
      pos = j;
      continue;
    }
    const rest = text.slice(pos);
    const matchName = (names: readonly string[]): number => {
      let best = -1;
      let bestLen = 0;
      names.forEach((name, idx) => {
        for (const cand of [name, name.slice(0, 3)]) {
          if (cand.length > bestLen && rest.toLowerCase().startsWith(cand.toLowerCase())) {
            best = idx;
            bestLen = cand.length;
          }
        }
      });
      if (best < 0) fail();
      pos += bestLen;
      return best;
    };
    switch (t.letter) {
      case 'M':
      case 'L':
        f['M'] = matchName(MONTHS) + 1;
        break;
      case 'E':
        matchName(DAYS);
        break;
      case 'a':
        pm = matchName(['AM', 'PM']) === 1;
        break;
      case 'G':
        matchName(['BC', 'AD']);
        break;
      case 'z':
      case 'Z':
      case 'X': {
        const m = /^(?:Z|UTC|GMT|Coordinated Universal Time)|^([+-])(\d{2}):?(\d{2})?/.exec(rest);
        if (!m) fail();
        if (m![1]) offsetMinutes = (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 60 + Number(m![3] ?? 0));
        pos += m![0].length;
        break;
      }
      default:
        fail();
    }
  }
  if (pos === 0 && tokens.length > 0) fail();
  let year = f['y'] ?? f['Y'] ?? 1970;
  if (twoDigitYear) {
    // the century that puts the year within 80 years before and 20 after now
    const nowYear = new Date(now).getUTCFullYear();
    const start = nowYear - 80;
    year = Math.floor(start / 100) * 100 + year;
    if (year < start) year += 100;
  }
  let hour = f['H'] ?? (f['k'] !== undefined ? f['k'] % 24 : undefined) ?? f['K'] ?? (f['h'] !== undefined ? f['h'] % 12 : 0);
  if (pm && f['H'] === undefined && f['k'] === undefined) hour += 12;
  const date = new Date(0);
  date.setUTCFullYear(year, (f['M'] ?? 1) - 1, f['d'] ?? (f['D'] !== undefined ? 1 : 1));
  if (f['D'] !== undefined && f['d'] === undefined && f['M'] === undefined) date.setUTCDate(f['D']);
  date.setUTCHours(hour, f['m'] ?? 0, f['s'] ?? 0, f['S'] ?? 0);
  return date.getTime() - offsetMinutes * 60_000;
}
