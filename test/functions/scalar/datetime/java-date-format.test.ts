import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDate,
  formatTime,
  formatTimestamp,
  parseDate,
  parseTime,
  parseTimestamp,
} from '../../../../src/functions/scalar/datetime/java-date-format.js';
import { daysFromCivil } from '../../../../src/functions/scalar/datetime/civil-calendar.js';

const HOUR = 3_600_000;
// 2018-05-11T21:58:33.123Z, a Friday
const TS = Date.UTC(2018, 4, 11, 21, 58, 33, 123);

test('formats dates like ksqlDB DATETOSTRING', () => {
  assert.equal(formatDate(17662, 'yyyy-MM-dd'), '2018-05-11');
  assert.equal(formatDate(18027, 'dd/MM/yyyy'), '11/05/2019');
  assert.equal(formatDate(18993, 'dd-MMM-yyyy'), '01-Jan-2022');
  assert.equal(formatDate(-1, "dd-MM-yyyy'Sophia'"), '31-12-1969Sophia');
});

test('each date letter', () => {
  const d = daysFromCivil(2018, 5, 11);
  const cases: [string, string][] = [
    ['G GGGG GGGGG', 'AD Anno Domini A'],
    ['y yy yyy yyyy yyyyy', '2018 18 2018 2018 02018'],
    ['u uu uuuu', '2018 18 2018'],
    ['M MM MMM MMMM MMMMM', '5 05 May May M'],
    ['L LL LLL', '5 05 May'],
    ['d dd', '11 11'],
    ['D DD DDD', '131 131 131'],
    ['Q QQ QQQ QQQQ QQQQQ', '2 02 Q2 2nd quarter 2'],
    ['E EEE EEEE EEEEE', 'Fri Fri Friday F'],
    ['e ee eee eeee', '6 06 Fri Friday'],
    ['c ccc', '6 Fri'],
    ['F', '4'],
    ['w ww W Y YY', '19 19 2 2018 18'],
  ];
  for (const [pattern, expected] of cases) assert.equal(formatDate(d, pattern), expected, pattern);
  assert.equal(formatDate(daysFromCivil(2018, 1, 5), 'D DD DDD'), '5 05 005');
  // the US week containing 2020-12-31 belongs to 2021's first week
  assert.equal(formatDate(daysFromCivil(2020, 12, 31), 'Y w'), '2021 1');
});

test('years before 1 and after 9999', () => {
  assert.equal(formatDate(daysFromCivil(0, 6, 1), 'yyyy G uuuu'), '0001 BC 0000');
  assert.equal(formatDate(daysFromCivil(-44, 3, 15), 'uuuu yyyy G'), '-0044 0045 BC');
  assert.equal(formatDate(daysFromCivil(10000, 1, 1), 'yyyy-MM-dd'), '+10000-01-01');
});

test('each time letter', () => {
  const t = ((15 * 60 + 4) * 60 + 5) * 1000 + 7; // 15:04:05.007
  const cases: [string, string][] = [
    ['H HH', '15 15'],
    ['k kk', '15 15'],
    ['h hh', '3 03'],
    ['K KK', '3 03'],
    ['a', 'PM'],
    ['m mm s ss', '4 04 5 05'],
    ['S SS SSS SSSSSS', '0 00 007 007000'],
    ['A', String(t)],
    ['n', '7000000'],
    ['N', String(t * 1_000_000)],
  ];
  for (const [pattern, expected] of cases) assert.equal(formatTime(t, pattern), expected, pattern);
  assert.equal(formatTime(0, 'h:mm a k K'), '12:00 AM 24 0');
  assert.equal(formatTime(12 * HOUR, 'h a'), '12 PM');
});

test('each zone letter', () => {
  const cases: [string, string, string][] = [
    ['UTC', 'X XX XXX x xx xxx Z ZZZZ ZZZZZ O OOOO', 'Z Z Z +00 +0000 +00:00 +0000 GMT Z GMT GMT'],
    ['Asia/Kolkata', 'X XX XXX XXXX XXXXX', '+0530 +0530 +05:30 +0530 +05:30'],
    ['Asia/Kolkata', 'x Z ZZZZ ZZZZZ O OOOO', '+0530 +0530 GMT+05:30 +05:30 GMT+5:30 GMT+05:30'],
    ['America/Los_Angeles', 'X XX XXX O', '-07 -0700 -07:00 GMT-7'],
    ['America/Los_Angeles', 'VV z zzzz', 'America/Los_Angeles PDT Pacific Daylight Time'],
    ['Europe/London', 'z', 'BST'],
    ['+02:00', 'VV z', '+02:00 +02:00'],
  ];
  for (const [zone, pattern, expected] of cases) assert.equal(formatTimestamp(TS, pattern, zone), expected, `${zone} ${pattern}`);
});

test('formats timestamps in a zone (ksqlDB timestamp-to-string cases)', () => {
  assert.equal(formatTimestamp(1526075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles'), '2018-05-11 14:58:33 PDT');
  assert.equal(formatTimestamp(1526075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'Europe/London'), '2018-05-11 22:58:33 BST');
  assert.equal(formatTimestamp(1526075913000, 'yyyy-MM-dd HH:mm:ss'), '2018-05-11 21:58:33');
  assert.equal(formatTimestamp(-1, "yyyy-MM-dd'T'HH:mm:ss.SSS"), '1969-12-31T23:59:59.999');
  assert.equal(formatTimestamp(TS, 'EEE, MMM d', 'UTC'), 'Fri, May 11');
  // SQL's 'yyyy-MM-dd''T''HH:mm:ssX' reaches the engine as yyyy-MM-dd'T'HH:mm:ssX
  assert.equal(formatTimestamp(TS, "yyyy-MM-dd'T'HH:mm:ssX"), '2018-05-11T21:58:33Z');
  assert.equal(formatTimestamp(TS, "HH''mm"), "21'58");
});

test('formatting across a DST transition', () => {
  const before = Date.UTC(2020, 2, 8, 9, 59, 59);
  assert.equal(formatTimestamp(before, 'yyyy-MM-dd HH:mm:ss z XXX', 'America/Los_Angeles'), '2020-03-08 01:59:59 PST -08:00');
  assert.equal(formatTimestamp(before + 1000, 'yyyy-MM-dd HH:mm:ss z XXX', 'America/Los_Angeles'), '2020-03-08 03:00:00 PDT -07:00');
  // the autumn hour repeats
  assert.equal(formatTimestamp(Date.UTC(2020, 10, 1, 8, 30), 'HH:mm z', 'America/Los_Angeles'), '01:30 PDT');
  assert.equal(formatTimestamp(Date.UTC(2020, 10, 1, 9, 30), 'HH:mm z', 'America/Los_Angeles'), '01:30 PST');
});

test('optional sections print only what the value has', () => {
  assert.equal(formatDate(17662, 'yyyy-MM-dd[ HH:mm]'), '2018-05-11');
  assert.equal(formatTimestamp(TS, 'yyyy-MM-dd[ HH:mm]'), '2018-05-11 21:58');
});

test('formatting errors', () => {
  assert.throws(() => formatDate(0, 'yyyy HH'), /Unsupported field: HourOfDay/);
  assert.throws(() => formatTime(0, 'HH yyyy'), /Unsupported field: YearOfEra/);
  assert.throws(() => formatDate(0, 'VV'), /Unable to extract ZoneId/);
  assert.throws(() => formatTime(0, 'XXX'), /Unsupported field: OffsetSeconds/);
  assert.throws(() => formatTimestamp(0, 'yyyy', 'Not/AZone'), /Unknown time-zone ID/);
  assert.throws(() => formatTime(86_400_000, 'HH'), /MilliOfDay/);
});

test('parses timestamps (ksqlDB conformance cases)', () => {
  assert.equal(parseTimestamp('2018-05-11T21:58:33', "yyyy-MM-dd'T'HH:mm:ss"), 1526075913000);
  assert.equal(parseTimestamp('2020-05-11T21:58:33Z', "yyyy-MM-dd'T'HH:mm:ssX"), 1589234313000);
  assert.equal(parseTimestamp('2019-08-27T13:31:09.2+0000', "yyyy-MM-dd'T'HH:mm:ss.SX"), 1566912669200);
});

test('round trips through format and parse', () => {
  const patterns = [
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    'yyyy-MM-dd HH:mm:ss.SSS Z',
    'dd/MM/yyyy hh:mm:ss.SSS a VV',
    'EEEE, MMMM d, uuuu HH:mm:ss.SSS O',
    'yyyyMMddHHmmssSSSxx',
    'D yyyy HH:mm:ss.SSS OOOO',
  ];
  const instants = [0, TS, -123_456_789_012, 4_102_444_800_000 + 1, Date.UTC(2020, 2, 8, 10, 30)];
  for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kathmandu', '-03:30']) {
    for (const pattern of patterns) {
      for (const ms of instants) {
        const text = formatTimestamp(ms, pattern, zone);
        assert.equal(parseTimestamp(text, pattern, zone), ms, `${zone} ${pattern} ${text}`);
      }
    }
  }
  for (let days = -40_000; days < 40_000; days += 1_234) {
    assert.equal(parseDate(formatDate(days, 'dd MMM uuuu'), 'dd MMM uuuu'), days);
  }
  for (let ms = 0; ms < 86_400_000; ms += 3_333_333) {
    assert.equal(parseTime(formatTime(ms, 'hh:mm:ss.SSS a'), 'hh:mm:ss.SSS a'), ms);
  }
});

test('missing fields default to 1970-01-01T00:00 in the given zone', () => {
  assert.equal(parseTimestamp('21:58', 'HH:mm'), (21 * 60 + 58) * 60_000);
  assert.equal(parseTimestamp('2018', 'yyyy'), Date.UTC(2018, 0, 1));
  assert.equal(parseTimestamp('May 2018', 'MMM yyyy'), Date.UTC(2018, 4, 1));
  assert.equal(parseTimestamp('11', 'dd'), Date.UTC(1970, 0, 11));
  assert.equal(parseTimestamp('10:00', 'HH:mm', 'America/Los_Angeles'), 18 * HOUR);
  assert.equal(parseTimestamp('10:00', 'HH:mm', '+02:00'), 8 * HOUR);
  // a zone in the text wins over the default
  assert.equal(parseTimestamp('10:00 +0100', 'HH:mm Z', 'America/Los_Angeles'), 9 * HOUR);
  assert.equal(parseTimestamp('2018-05-11 10:00 Europe/Paris', 'yyyy-MM-dd HH:mm VV', 'UTC'), Date.UTC(2018, 4, 11, 8));
  assert.equal(parseTimestamp('2018-05-11 10:00 PDT', 'yyyy-MM-dd HH:mm z'), Date.UTC(2018, 4, 11, 17));
  // 'hh' without 'a' is a morning hour; 'a' alone is noon
  assert.equal(parseTimestamp('07', 'hh'), 7 * HOUR);
  assert.equal(parseTimestamp('PM', 'a'), 12 * HOUR);
  // day of year, with the leap day needing its year
  assert.equal(parseTimestamp('2020 366', 'yyyy DDD'), Date.UTC(2020, 11, 31));
  assert.throws(() => parseTimestamp('366', 'DDD'), /Leap day cannot be parsed without supplying the year/);
  // java.time's SMART resolver: Feb 31 is the month's last day; 24:00 is the next midnight
  assert.equal(parseTimestamp('2020-02-31', 'yyyy-MM-dd'), Date.UTC(2020, 1, 29));
  assert.equal(parseTimestamp('2020-02-28 24:00', 'yyyy-MM-dd HH:mm'), Date.UTC(2020, 1, 29));
  // a two-digit year is in 2000..2099
  assert.equal(parseTimestamp('99-12-31', 'yy-MM-dd'), Date.UTC(2099, 11, 31));
});

test('parsing in a DST gap and overlap', () => {
  const la = 'America/Los_Angeles';
  // 02:30 does not exist on 2020-03-08: it becomes 03:30 PDT
  assert.equal(parseTimestamp('2020-03-08 02:30', 'yyyy-MM-dd HH:mm', la), Date.UTC(2020, 2, 8, 10, 30));
  // 01:30 happens twice on 2020-11-01: ksqlDB keeps the offset it carried from 1970-11-01 (PST)
  assert.equal(parseTimestamp('2020-11-01 01:30', 'yyyy-MM-dd HH:mm', la), Date.UTC(2020, 10, 1, 9, 30));
  // ... but a zone in the text resolves like ZonedDateTime.of: the earlier instant (PDT)
  assert.equal(parseTimestamp('2020-11-01 01:30 America/Los_Angeles', 'yyyy-MM-dd HH:mm VV'), Date.UTC(2020, 10, 1, 8, 30));
  // an explicit offset settles it
  assert.equal(parseTimestamp('2020-11-01 01:30 -08:00', 'yyyy-MM-dd HH:mm XXX', la), Date.UTC(2020, 10, 1, 9, 30));
  assert.equal(parseTimestamp('2020-07-01 12:00', 'yyyy-MM-dd HH:mm', 'Europe/London'), Date.UTC(2020, 6, 1, 11));
});

test('adjacent numbers without separators', () => {
  assert.equal(parseTimestamp('20180511', 'yyyyMMdd'), Date.UTC(2018, 4, 11));
  assert.equal(parseTimestamp('20180511215833', 'yyyyMMddHHmmss'), 1526075913000);
  assert.equal(parseTimestamp('120180511', 'yyyyMMdd'), Date.UTC(12018, 4, 11));
  assert.equal(parseDate('7/4/2021', 'M/d/yyyy'), daysFromCivil(2021, 7, 4));
});

test('optional sections when parsing', () => {
  assert.equal(parseTimestamp('2018-05-11', 'yyyy-MM-dd[ HH:mm]'), Date.UTC(2018, 4, 11));
  assert.equal(parseTimestamp('2018-05-11 10:30', 'yyyy-MM-dd[ HH:mm]'), Date.UTC(2018, 4, 11, 10, 30));
  assert.equal(parseTime('10', 'HH[:mm[:ss]]'), 10 * HOUR);
  assert.equal(parseTime('10:20:30', 'HH[:mm[:ss]]'), ((10 * 60 + 20) * 60 + 30) * 1000);
});

test('case sensitivity', () => {
  // PARSE_DATE / PARSE_TIME are case-insensitive, PARSE_TIMESTAMP (StringToTimestampParser) is not
  assert.equal(parseDate('01-JAN-2022', 'dd-MMM-yyyy'), 18993);
  assert.equal(parseTime('01:00:00 Pm', 'hh:mm:ss a'), 13 * HOUR);
  assert.throws(() => parseTimestamp('2018-05-11t21:58:33', "yyyy-MM-dd'T'HH:mm:ss"), /could not be parsed at index 10/);
  assert.equal(parseTimestamp('2018-05-11t21:58:33', "yyyy-MM-dd'T'HH:mm:ss", 'UTC', { caseInsensitive: true }), 1526075913000);
  assert.throws(() => parseDate('01-JAN-2022', 'dd-MMM-yyyy', { caseInsensitive: false }), /could not be parsed at index 3/);
});

test('parse_date and parse_time (ksqlDB conformance cases)', () => {
  assert.equal(parseDate('2018-05-11Lit', "yyyy-MM-dd'Lit'"), 17662);
  assert.equal(parseDate('11/05/2019', 'dd/MM/yyyy'), 18027);
  assert.equal(parseDate('01-Jan-2022', 'dd-MMM-yyyy'), 18993);
  assert.equal(parseDate('01-01-1970', 'dd-MM-yyyy'), 0);
  assert.equal(parseDate('JAN-2022', 'MMM-yyyy'), 18993);
  assert.equal(parseTime('00:01:05Lit', "HH:mm:ss'Lit'"), 65000);
  assert.equal(parseTime('11/05/19', 'HH/mm/ss'), 39919000);
  assert.equal(parseTime('01:00:00 PM', 'hh:mm:ss a'), 46800000);
});

test('parse errors', () => {
  assert.throws(() => parseTimestamp('2018-13-01', 'yyyy-MM-dd'), /Invalid value for MonthOfYear \(valid values 1 - 12\): 13/);
  assert.throws(() => parseTimestamp('2018-05-11 25:00', 'yyyy-MM-dd HH:mm'), /Invalid value for HourOfDay/);
  assert.throws(() => parseTimestamp('2018-05-11x', 'yyyy-MM-dd'), /unparsed text found at index 10/);
  assert.throws(() => parseTimestamp('2018-5-11', 'yyyy-MM-dd'), /could not be parsed at index 5/);
  assert.throws(() => parseTimestamp('not a timestamp', "yyyy-MM-dd'T'HH:mm:ssX"), /could not be parsed at index 0/);
  assert.throws(() => parseTimestamp('Mon 2018-05-11', 'EEE yyyy-MM-dd'), /Conflict found: Field DayOfWeek/);
  assert.equal(parseTimestamp('Fri 2018-05-11', 'EEE yyyy-MM-dd'), Date.UTC(2018, 4, 11));
  assert.throws(() => parseTimestamp('2018-05-11', 'yyyy-MM-dd', 'Nowhere/Land'), /Unknown time-zone ID/);
  assert.throws(() => parseTimestamp('2018', 'yyyy-bb'), /Unknown pattern letter: b/);
  assert.throws(() => parseDate('2018-05-11 10', 'yyyy-MM-dd HH'), /Date format contains time field/);
  assert.throws(() => parseTime('2018 10', 'yyyy HH'), /Unsupported field: YearOfEra/);
  assert.throws(() => parseDate('2018-05', 'yyyy-MM', { requireFullDate: true }), /Unable to obtain LocalDate/);
  assert.throws(() => parseTimestamp('10:00 +25:00', 'HH:mm XXX'), /could not be parsed at index 6/);
  assert.throws(() => parseTimestamp('2018-02-30', 'MM-dd'), /unparsed text|could not be parsed/);
});
