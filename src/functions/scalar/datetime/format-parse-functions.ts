/**
 * The date/time text functions: FORMAT_* / PARSE_* on DATE, TIME and TIMESTAMP, and the older
 * number-based DATETOSTRING, STRINGTODATE, TIMESTAMPTOSTRING, STRINGTOTIMESTAMP. Patterns are
 * java.time.format.DateTimeFormatter patterns; a zone argument is a java.time ZoneId.
 */
import { ExecutionError } from '../../../common/errors.js';
import type { ScalarFunction } from '../../function-types.js';
import { p } from '../../param-types.js';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from './java-date-format.js';
import { nullSafe, toNumber } from './null-safe.js';

const CATEGORY = 'DATE / TIME';

function failure(message: string, cause: unknown): ExecutionError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ExecutionError(`${message}: ${detail}`, {}, { cause });
}

function attempt<T>(message: () => string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw failure(message(), e);
  }
}

const DEFAULT_ZONE = 'UTC';

function formatTimestampIn(ms: number, pattern: string, zone?: string): string {
  return attempt(
    () => `Failed to format timestamp ${ms}${zone === undefined ? '' : ` at timeZone '${zone}'`} with formatter '${pattern}'`,
    () => formatTimestamp(ms, pattern, zone ?? DEFAULT_ZONE),
  );
}

function parseTimestampIn(text: string, pattern: string, zone?: string): number {
  return attempt(
    () => `Failed to parse timestamp '${text}' at timezone '${zone ?? DEFAULT_ZONE}' with formatter '${pattern}'`,
    () => parseTimestamp(text, pattern, zone ?? DEFAULT_ZONE),
  );
}

export const formatParseFunctions: ScalarFunction[] = [
  {
    name: 'FORMAT_DATE',
    category: CATEGORY,
    description: 'Converts a DATE value into a string in the given java.time.format.DateTimeFormatter format.',
    overloads: [
      {
        params: [p('DATE'), p('STRING')],
        returns: p('STRING'),
        bind: () =>
          nullSafe((days: number, pattern: string) =>
            attempt(() => `Failed to format date ${days} with formatter '${pattern}'`, () => formatDate(days, pattern)),
          ),
      },
    ],
  },
  {
    name: 'PARSE_DATE',
    category: CATEGORY,
    description: 'Converts a string in the given java.time.format.DateTimeFormatter format into a DATE value.',
    overloads: [
      {
        params: [p('STRING'), p('STRING')],
        returns: p('DATE'),
        bind: () =>
          nullSafe((text: string, pattern: string) =>
            // ksqlDB parses with FastDateFormat.parse(String), which ignores text after the date
            attempt(() => `Failed to parse date '${text}' with formatter '${pattern}'`, () => parseDate(text, pattern, { ignoreTrailingText: true })),
          ),
      },
    ],
  },
  {
    name: 'FORMAT_TIME',
    category: CATEGORY,
    description: 'Converts a TIME value into a string in the given java.time.format.DateTimeFormatter format.',
    overloads: [
      {
        params: [p('TIME'), p('STRING')],
        returns: p('STRING'),
        bind: () =>
          nullSafe((ms: number, pattern: string) =>
            attempt(() => `Failed to format time ${ms} with formatter '${pattern}'`, () => formatTime(ms, pattern)),
          ),
      },
    ],
  },
  {
    name: 'PARSE_TIME',
    category: CATEGORY,
    description: 'Converts a string in the given java.time.format.DateTimeFormatter format into a TIME value.',
    overloads: [
      {
        params: [p('STRING'), p('STRING')],
        returns: p('TIME'),
        bind: () =>
          nullSafe((text: string, pattern: string) =>
            attempt(() => `Failed to parse time '${text}' with formatter '${pattern}'`, () => parseTime(text, pattern)),
          ),
      },
    ],
  },
  {
    name: 'FORMAT_TIMESTAMP',
    category: CATEGORY,
    description:
      'Converts a TIMESTAMP value into a string in the given java.time.format.DateTimeFormatter format, ' +
      'in UTC or the given time zone.',
    overloads: [
      {
        params: [p('TIMESTAMP'), p('STRING')],
        returns: p('STRING'),
        bind: () => nullSafe((ms: number, pattern: string) => formatTimestampIn(ms, pattern)),
      },
      {
        params: [p('TIMESTAMP'), p('STRING'), p('STRING')],
        returns: p('STRING'),
        bind: () => nullSafe((ms: number, pattern: string, zone: string) => formatTimestampIn(ms, pattern, zone)),
      },
    ],
  },
  {
    name: 'PARSE_TIMESTAMP',
    category: CATEGORY,
    description:
      'Converts a string in the given java.time.format.DateTimeFormatter format into a TIMESTAMP value, ' +
      'reading it in UTC or the given time zone unless the text has its own.',
    overloads: [
      {
        params: [p('STRING'), p('STRING')],
        returns: p('TIMESTAMP'),
        bind: () => nullSafe((text: string, pattern: string) => parseTimestampIn(text, pattern)),
      },
      {
        params: [p('STRING'), p('STRING'), p('STRING')],
        returns: p('TIMESTAMP'),
        bind: () => nullSafe((text: string, pattern: string, zone: string) => parseTimestampIn(text, pattern, zone)),
      },
    ],
  },
  {
    name: 'DATETOSTRING',
    category: CATEGORY,
    description:
      'Converts an INT number of days since 1970-01-01 into a string in the given ' +
      'java.time.format.DateTimeFormatter format. Deprecated: use FORMAT_DATE.',
    overloads: [
      {
        params: [p('INTEGER'), p('STRING')],
        returns: p('STRING'),
        bind: () =>
          nullSafe((days: number, pattern: string) =>
            attempt(() => `Failed to format date ${days} with formatter '${pattern}'`, () => formatDate(days, pattern)),
          ),
      },
    ],
  },
  {
    name: 'STRINGTODATE',
    category: CATEGORY,
    description:
      'Converts a string in the given java.time.format.DateTimeFormatter format into an INT number of ' +
      'days since 1970-01-01. Deprecated: use PARSE_DATE.',
    overloads: [
      {
        params: [p('STRING'), p('STRING')],
        returns: p('INTEGER'),
        bind: () =>
          nullSafe((text: string, pattern: string) =>
            attempt(
              () => `Failed to parse date '${text}' with formatter '${pattern}'`,
              () => parseDate(text, pattern, { requireFullDate: true }),
            ),
          ),
      },
    ],
  },
  {
    name: 'TIMESTAMPTOSTRING',
    category: CATEGORY,
    description:
      'Converts a BIGINT number of milliseconds since 1970-01-01T00:00:00Z into a string in the given ' +
      'java.time.format.DateTimeFormatter format, in UTC or the given time zone. Deprecated: use FORMAT_TIMESTAMP.',
    overloads: [
      {
        params: [p('BIGINT'), p('STRING')],
        returns: p('STRING'),
        bind: () => nullSafe((ms: unknown, pattern: string) => formatTimestampIn(toNumber(ms), pattern)),
      },
      {
        params: [p('BIGINT'), p('STRING'), p('STRING')],
        returns: p('STRING'),
        bind: () => nullSafe((ms: unknown, pattern: string, zone: string) => formatTimestampIn(toNumber(ms), pattern, zone)),
      },
    ],
  },
  {
    name: 'STRINGTOTIMESTAMP',
    category: CATEGORY,
    description:
      'Converts a string in the given java.time.format.DateTimeFormatter format into a BIGINT number of ' +
      'milliseconds since 1970-01-01T00:00:00Z, reading it in UTC or the given time zone unless the text ' +
      'has its own. Deprecated: use PARSE_TIMESTAMP.',
    overloads: [
      {
        params: [p('STRING'), p('STRING')],
        returns: p('BIGINT'),
        bind: () => nullSafe((text: string, pattern: string) => BigInt(parseTimestampIn(text, pattern))),
      },
      {
        params: [p('STRING'), p('STRING'), p('STRING')],
        returns: p('BIGINT'),
        bind: () => nullSafe((text: string, pattern: string, zone: string) => BigInt(parseTimestampIn(text, pattern, zone))),
      },
    ],
  },
];
