import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datetimeFunctions } from '../../../../src/functions/scalar/datetime/index.js';
import type { ParamType, ScalarFunction } from '../../../../src/functions/function-types.js';
import { SqlTypes, type SqlType } from '../../../../src/common/sql-types.js';

function fn(name: string): ScalarFunction {
  const f = datetimeFunctions.find((x) => x.name === name);
  assert.ok(f, `function ${name} is registered`);
  return f;
}

function typeOf(param: ParamType): SqlType {
  // the unit keyword has no SQL type; the engine passes its name
  return param.kind === 'exact' ? param.type : SqlTypes.STRING;
}

/** Calls the overload with `args.length` parameters, as the expression runtime would. */
function call(name: string, ...args: unknown[]): unknown {
  const overload = fn(name).overloads.find((o) => o.params.length === args.length);
  assert.ok(overload, `${name} has an overload with ${args.length} parameters`);
  const returns = overload.returns;
  const argTypes = overload.params.map(typeOf);
  const returnType = typeof returns === 'function' ? returns(argTypes) : typeOf(returns);
  return overload.bind({ argTypes, returnType })(...args);
}

function returnKind(name: string, arity: number): string {
  const overload = fn(name).overloads.find((o) => o.params.length === arity)!;
  const r = overload.returns as ParamType;
  return r.kind === 'exact' ? r.type.kind : r.kind;
}

const EXPECTED = [
  'UNIX_DATE', 'UNIX_TIMESTAMP', 'FROM_UNIXTIME', 'FROM_DAYS', 'CONVERT_TZ',
  'FORMAT_DATE', 'PARSE_DATE', 'FORMAT_TIME', 'PARSE_TIME', 'FORMAT_TIMESTAMP', 'PARSE_TIMESTAMP',
  'DATETOSTRING', 'STRINGTODATE', 'TIMESTAMPTOSTRING', 'STRINGTOTIMESTAMP',
  'DATEADD', 'DATESUB', 'TIMEADD', 'TIMESUB', 'TIMESTAMPADD', 'TIMESTAMPSUB',
];

test('every function is registered once, upper-case, with category and description', () => {
  assert.deepEqual([...datetimeFunctions.map((f) => f.name)].sort(), [...EXPECTED].sort());
  for (const f of datetimeFunctions) {
    assert.equal(f.name, f.name.toUpperCase());
    assert.equal(f.category, 'DATE / TIME');
    assert.ok(f.description.length > 20, f.name);
    assert.ok(f.overloads.length > 0, f.name);
  }
});

test('every function returns NULL for any NULL argument', () => {
  for (const f of datetimeFunctions) {
    for (const overload of f.overloads) {
      const sample: Record<string, unknown> = {
        DATE: 10, TIME: 1000, TIMESTAMP: 1000, STRING: 'yyyy', INTEGER: 1, BIGINT: 1n,
      };
      for (let i = 0; i < overload.params.length; i++) {
        const args = overload.params.map((param) =>
          param.kind === 'intervalUnit' ? 'DAYS' : sample[param.kind === 'exact' ? param.type.kind : 'STRING'],
        );
        args[i] = null;
        const impl = overload.bind({ argTypes: overload.params.map(typeOf), returnType: SqlTypes.STRING });
        assert.equal(impl(...args), null, `${f.name} with argument ${i + 1} NULL`);
      }
    }
  }
});

test('UNIX_DATE and UNIX_TIMESTAMP', () => {
  const before = Date.now();
  const now = call('UNIX_TIMESTAMP') as bigint;
  assert.equal(typeof now, 'bigint');
  assert.ok(Number(now) >= before && Number(now) <= Date.now());
  assert.equal(returnKind('UNIX_TIMESTAMP', 0), 'BIGINT');
  assert.equal(call('UNIX_TIMESTAMP', 1589234313000), 1589234313000n);
  const today = call('UNIX_DATE') as number;
  assert.equal(today, Math.floor(Date.now() / 86_400_000));
  assert.equal(call('UNIX_DATE', 100), 100);
  assert.equal(returnKind('UNIX_DATE', 1), 'INTEGER');
});

test('FROM_UNIXTIME, FROM_DAYS', () => {
  assert.equal(call('FROM_UNIXTIME', 1589234313000n), 1589234313000);
  assert.equal(returnKind('FROM_UNIXTIME', 1), 'TIMESTAMP');
  assert.equal(call('FROM_DAYS', -10), -10);
  assert.equal(returnKind('FROM_DAYS', 1), 'DATE');
});

test('CONVERT_TZ shifts by the difference of offsets', () => {
  assert.equal(call('CONVERT_TZ', 100, '+0200', '+0500'), 10_800_100);
  assert.equal(call('CONVERT_TZ', 1589234313000, 'America/Los_Angeles', 'America/New_York'), 1589245113000);
  // in January London is UTC+0, in July UTC+1
  assert.equal(call('CONVERT_TZ', Date.UTC(2020, 0, 1), 'UTC', 'Europe/London'), Date.UTC(2020, 0, 1));
  assert.equal(call('CONVERT_TZ', Date.UTC(2020, 6, 1), 'UTC', 'Europe/London'), Date.UTC(2020, 6, 1, 1));
  assert.throws(() => call('CONVERT_TZ', 0, 'UTC', 'Bad/Zone'), /Invalid time zone: Unknown time-zone ID: Bad\/Zone/);
});

test('FORMAT_DATE / PARSE_DATE and DATETOSTRING / STRINGTODATE', () => {
  assert.equal(call('FORMAT_DATE', 18993, 'dd-MMM-yyyy'), '01-Jan-2022');
  assert.equal(call('PARSE_DATE', 'JAN-2022', 'MMM-yyyy'), 18993);
  assert.equal(returnKind('PARSE_DATE', 2), 'DATE');
  // like FastDateFormat.parse(String), text after the date is ignored (conformance: null.json coalesce)
  assert.equal(call('PARSE_DATE', '2003-12-24-01-01', 'yyyy-MM-dd'), 12410);
  assert.throws(() => call('PARSE_DATE', '2004', 'yyyy-MM-dd'), /Failed to parse date '2004'/);
  assert.equal(call('DATETOSTRING', 17662, 'yyyy-MM-dd'), '2018-05-11');
  assert.equal(call('STRINGTODATE', '2018-05-11', 'yyyy-MM-dd'), 17662);
  assert.equal(returnKind('STRINGTODATE', 2), 'INTEGER');
  // STRINGTODATE uses LocalDate.parse: the whole date must be there
  assert.throws(() => call('STRINGTODATE', '2018-05', 'yyyy-MM'), /Failed to parse date '2018-05' with formatter 'yyyy-MM'/);
  assert.throws(() => call('PARSE_DATE', 'x', 'yyyy'), /Failed to parse date 'x' with formatter 'yyyy': Text 'x' could not be parsed/);
  assert.throws(() => call('FORMAT_DATE', 1, 'HH'), /Failed to format date 1 with formatter 'HH': Unsupported field: HourOfDay/);
});

test('FORMAT_TIME / PARSE_TIME', () => {
  assert.equal(call('FORMAT_TIME', 46_800_000, 'hh:mm a'), '01:00 PM');
  assert.equal(call('PARSE_TIME', '01:00:00 PM', 'hh:mm:ss a'), 46_800_000);
  assert.equal(returnKind('PARSE_TIME', 2), 'TIME');
  assert.throws(() => call('PARSE_TIME', '2020 10', 'yyyy HH'), /Failed to parse time/);
});

test('FORMAT_TIMESTAMP / PARSE_TIMESTAMP with and without a zone', () => {
  assert.equal(call('FORMAT_TIMESTAMP', 1526075913000, 'yyyy-MM-dd HH:mm:ss'), '2018-05-11 21:58:33');
  assert.equal(call('FORMAT_TIMESTAMP', 1526075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles'), '2018-05-11 14:58:33 PDT');
  assert.equal(call('PARSE_TIMESTAMP', '2018-05-11T21:58:33', "yyyy-MM-dd'T'HH:mm:ss"), 1526075913000);
  assert.equal(call('PARSE_TIMESTAMP', '2018-05-11 14:58:33', 'yyyy-MM-dd HH:mm:ss', 'America/Los_Angeles'), 1526075913000);
  assert.equal(returnKind('PARSE_TIMESTAMP', 3), 'TIMESTAMP');
  assert.throws(
    () => call('PARSE_TIMESTAMP', 'nope', 'yyyy', 'UTC'),
    /Failed to parse timestamp 'nope' at timezone 'UTC' with formatter 'yyyy'/,
  );
  assert.throws(() => call('FORMAT_TIMESTAMP', 0, 'yyyy', 'Bad/Zone'), /at timeZone 'Bad\/Zone'.*Unknown time-zone ID/);
});

test('TIMESTAMPTOSTRING / STRINGTOTIMESTAMP work on BIGINT millis', () => {
  assert.equal(call('TIMESTAMPTOSTRING', 1526075913000n, 'yyyy-MM-dd HH:mm:ss zzz', 'Europe/London'), '2018-05-11 22:58:33 BST');
  assert.equal(call('TIMESTAMPTOSTRING', 1526075913000n, "yyyy-MM-dd'T'HH:mm:ss"), '2018-05-11T21:58:33');
  assert.equal(call('STRINGTOTIMESTAMP', '2018-05-11T21:58:33Z', "yyyy-MM-dd'T'HH:mm:ssX"), 1526075913000n);
  assert.equal(call('STRINGTOTIMESTAMP', '2018-05-11 23:58:33', 'yyyy-MM-dd HH:mm:ss', 'Europe/Paris'), 1526075913000n);
  assert.equal(returnKind('STRINGTOTIMESTAMP', 2), 'BIGINT');
});

test('DATEADD / DATESUB', () => {
  assert.equal(call('DATEADD', 'DAYS', 5, 10), 15);
  assert.equal(call('DATESUB', 'DAYS', -5, 5), 10);
  assert.equal(call('DATESUB', 'DAYS', -5, -5), 0);
  assert.equal(call('DATEADD', 'HOURS', 48, 1), 3);
  // sub-day amounts: whole days of the millisecond sum, truncated toward zero
  assert.equal(call('DATEADD', 'HOURS', 23, 1), 1);
  assert.equal(call('DATEADD', 'MILLISECONDS', 5, 5), 5);
  assert.equal(returnKind('DATEADD', 3), 'DATE');
  assert.equal(fn('DATEADD').overloads[0]!.params[0]!.kind, 'intervalUnit');
});

test('TIMEADD / TIMESUB wrap around midnight', () => {
  assert.equal(call('TIMEADD', 'HOURS', 2, 23 * 3_600_000), 3_600_000);
  assert.equal(call('TIMEADD', 'SECONDS', 5, 1000), 6000);
  assert.equal(call('TIMESUB', 'MILLISECONDS', 10, 20), 10);
  assert.equal(call('TIMESUB', 'MILLISECONDS', 10, 5), 86_399_995);
  assert.equal(call('TIMESUB', 'MILLISECONDS', -5, 86_399_997), 2);
  assert.equal(call('TIMEADD', 'DAYS', 3, 1234), 1234);
  assert.equal(call('TIMEADD', 'NANOSECONDS', -1, 5), 4);
  assert.equal(returnKind('TIMEADD', 3), 'TIME');
});

test('TIMESTAMPADD / TIMESTAMPSUB', () => {
  assert.equal(call('TIMESTAMPADD', 'MILLISECONDS', -5, 2), -3);
  assert.equal(call('TIMESTAMPADD', 'DAYS', 1, 0), 86_400_000);
  assert.equal(call('TIMESTAMPADD', 'MINUTES', 90, 0), 5_400_000);
  assert.equal(call('TIMESTAMPSUB', 'MILLISECONDS', 10, 20), 10);
  assert.equal(call('TIMESTAMPSUB', 'SECONDS', 1, 0), -1000);
  assert.equal(call('TIMESTAMPADD', 'MICROSECONDS', 2500, 0), 2);
  assert.equal(returnKind('TIMESTAMPSUB', 3), 'TIMESTAMP');
  assert.throws(() => call('TIMESTAMPADD', 'FORTNIGHTS', 1, 0), /Unknown time unit/);
});
