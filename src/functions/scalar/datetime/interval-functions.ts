/**
 * Adding and subtracting a number of time units: DATEADD / DATESUB, TIMEADD / TIMESUB (which wrap
 * around midnight) and TIMESTAMPADD / TIMESTAMPSUB. The unit arrives as its name ('DAYS').
 */
import type { ScalarFunction } from '../../function-types.js';
import { p } from '../../param-types.js';
import { MS_PER_DAY } from './civil-calendar.js';
import { nullSafe } from './null-safe.js';
import { unitToMillis, unitToNanos } from './time-units.js';

const CATEGORY = 'DATE / TIME';
const NANOS_PER_DAY = 86_400_000_000_000n;

/** DateAdd: whole days of (date in ms + amount in ms), truncated toward zero as ksqlDB does. */
function addToDate(days: number, unit: string, amount: number): number {
  return Math.trunc((days * MS_PER_DAY + unitToMillis(unit, amount)) / MS_PER_DAY);
}

/** LocalTime.plus(nanos): wraps around midnight. */
function addToTime(msOfDay: number, unit: string, amount: number): number {
  const nanos = BigInt(msOfDay) * 1_000_000n + unitToNanos(unit, amount);
  const wrapped = ((nanos % NANOS_PER_DAY) + NANOS_PER_DAY) % NANOS_PER_DAY;
  return Number(wrapped / 1_000_000n);
}

function intervalFunction(name: string, valueType: 'DATE' | 'TIME' | 'TIMESTAMP', sign: 1 | -1, description: string): ScalarFunction {
  const apply =
    valueType === 'DATE'
      ? (unit: string, amount: number, v: number) => addToDate(v, unit, sign * amount)
      : valueType === 'TIME'
        ? (unit: string, amount: number, v: number) => addToTime(v, unit, sign * amount)
        : (unit: string, amount: number, v: number) => v + unitToMillis(unit, sign * amount);
  return {
    name,
    category: CATEGORY,
    description,
    overloads: [
      {
        params: [p('INTERVALUNIT'), p('INTEGER'), p(valueType)],
        returns: p(valueType),
        bind: () => nullSafe(apply),
      },
    ],
  };
}

export const intervalFunctions: ScalarFunction[] = [
  intervalFunction('DATEADD', 'DATE', 1, 'Adds a number of time units (for example DAYS) to a DATE value.'),
  intervalFunction('DATESUB', 'DATE', -1, 'Subtracts a number of time units (for example DAYS) from a DATE value.'),
  intervalFunction('TIMEADD', 'TIME', 1, 'Adds a number of time units (for example SECONDS or HOURS) to a TIME value, wrapping around midnight.'),
  intervalFunction('TIMESUB', 'TIME', -1, 'Subtracts a number of time units (for example SECONDS or HOURS) from a TIME value, wrapping around midnight.'),
  intervalFunction('TIMESTAMPADD', 'TIMESTAMP', 1, 'Adds a number of time units (for example DAYS or HOURS) to a TIMESTAMP value.'),
  intervalFunction('TIMESTAMPSUB', 'TIMESTAMP', -1, 'Subtracts a number of time units (for example DAYS or HOURS) from a TIMESTAMP value.'),
];
