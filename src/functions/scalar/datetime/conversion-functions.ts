/**
 * Conversions between DATE / TIMESTAMP and numbers, the current time, and CONVERT_TZ.
 */
import { ExecutionError } from '../../../common/errors.js';
import type { ScalarFunction } from '../../function-types.js';
import { p } from '../../param-types.js';
import { MS_PER_DAY } from './civil-calendar.js';
import { nullSafe, toNumber } from './null-safe.js';
import { resolveZone } from './time-zones.js';

const CATEGORY = 'DATE / TIME';

export const conversionFunctions: ScalarFunction[] = [
  {
    name: 'UNIX_DATE',
    category: CATEGORY,
    description:
      'With no argument, returns the current date as an INT number of days since 1970-01-01 (UTC). ' +
      'With a DATE argument, returns that date as days since 1970-01-01.',
    overloads: [
      {
        params: [],
        returns: p('INTEGER'),
        bind: () => () => Math.floor(Date.now() / MS_PER_DAY),
      },
      {
        params: [p('DATE')],
        returns: p('INTEGER'),
        bind: () => nullSafe((days: number) => days),
      },
    ],
  },
  {
    name: 'UNIX_TIMESTAMP',
    category: CATEGORY,
    description:
      'With no argument, returns the current time as a BIGINT number of milliseconds since ' +
      '1970-01-01T00:00:00Z. With a TIMESTAMP argument, returns that timestamp as milliseconds since the epoch.',
    overloads: [
      {
        params: [],
        returns: p('BIGINT'),
        bind: () => () => BigInt(Date.now()),
      },
      {
        params: [p('TIMESTAMP')],
        returns: p('BIGINT'),
        bind: () => nullSafe((ms: number) => BigInt(ms)),
      },
    ],
  },
  {
    name: 'FROM_UNIXTIME',
    category: CATEGORY,
    description: 'Converts a BIGINT number of milliseconds since 1970-01-01T00:00:00Z into a TIMESTAMP.',
    overloads: [
      {
        params: [p('BIGINT')],
        returns: p('TIMESTAMP'),
        bind: () => nullSafe((ms: unknown) => toNumber(ms)),
      },
    ],
  },
  {
    name: 'FROM_DAYS',
    category: CATEGORY,
    description: 'Converts an INT number of days since 1970-01-01 into a DATE.',
    overloads: [
      {
        params: [p('INTEGER')],
        returns: p('DATE'),
        bind: () => nullSafe((days: unknown) => toNumber(days)),
      },
    ],
  },
  {
    name: 'CONVERT_TZ',
    category: CATEGORY,
    description:
      'Converts a TIMESTAMP from one time zone to another: shifts it by the difference between the ' +
      "zones' offsets at that instant. Zones are java.time ids such as 'UTC', '+0200' or 'America/Los_Angeles'.",
    overloads: [
      {
        params: [p('TIMESTAMP'), p('STRING'), p('STRING')],
        returns: p('TIMESTAMP'),
        bind: () =>
          nullSafe((ms: number, fromZone: string, toZone: string) => {
            let from;
            let to;
            try {
              from = resolveZone(fromZone);
              to = resolveZone(toZone);
            } catch (e) {
              throw new ExecutionError(`Invalid time zone: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
            }
            return ms + to.offsetAt(ms) - from.offsetAt(ms);
          }),
      },
    ],
  },
];
