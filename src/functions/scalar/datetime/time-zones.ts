/**
 * Time zones as java.time's ZoneId sees them: fixed offsets ('+02:00', '+0200', 'Z', 'UTC+2'),
 * region ids ('UTC', 'America/Los_Angeles') and Java's legacy short ids ('PST'). Region rules come
 * from Intl (full ICU), so DST follows the tz database.
 */
import { MS_PER_DAY, floorDiv } from './civil-calendar.js';

export interface Zone {
  /** the id java.time would report: '+02:00', 'Z', 'UTC', 'America/Los_Angeles' */
  readonly id: string;
  /** set for zones whose offset never changes */
  readonly fixedOffsetMs: number | null;
  /** the IANA name Intl knows the zone by (undefined for fixed offsets) */
  readonly ianaName?: string;
  /** offset from UTC (ms) in effect at the given instant */
  offsetAt(instantMs: number): number;
}

/**
 * java.time.ZoneId.SHORT_IDS (accepted by TimeZone.getTimeZone; ksqlDB documents 'PST' as a zone
 * argument). EST, MST and HST are real tz database zones, so Intl resolves those.
 */
const SHORT_IDS: Record<string, string> = {
  ACT: 'Australia/Darwin',
  AET: 'Australia/Sydney',
  AGT: 'America/Argentina/Buenos_Aires',
  ART: 'Africa/Cairo',
  AST: 'America/Anchorage',
  BET: 'America/Sao_Paulo',
  BST: 'Asia/Dhaka',
  CAT: 'Africa/Harare',
  CNT: 'America/St_Johns',
  CST: 'America/Chicago',
  CTT: 'Asia/Shanghai',
  EAT: 'Africa/Addis_Ababa',
  ECT: 'Europe/Paris',
  IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  MIT: 'Pacific/Apia',
  NET: 'Asia/Yerevan',
  NST: 'Pacific/Auckland',
  PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico',
  PST: 'America/Los_Angeles',
  SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
};

const zoneCache = new Map<string, Zone>();

/** Resolves a zone id the way ZoneId.of does; throws a descriptive Error for unknown ids. */
export function resolveZone(id: string): Zone {
  let zone = zoneCache.get(id);
  if (!zone) {
    zone = buildZone(id);
    if (zoneCache.size > 1000) zoneCache.clear();
    zoneCache.set(id, zone);
  }
  return zone;
}

export const UTC_ZONE: Zone = fixedZone('UTC', 0);

function fixedZone(id: string, offsetMs: number): Zone {
  return { id, fixedOffsetMs: offsetMs, offsetAt: () => offsetMs };
}

function buildZone(id: string): Zone {
  if (id === 'Z') return fixedZone('Z', 0);
  if (id.startsWith('+') || id.startsWith('-')) {
    const offset = parseOffsetId(id);
    return fixedZone(formatOffsetId(offset), offset);
  }
  if (id === 'UTC' || id === 'GMT' || id === 'UT') return fixedZone(id, 0);
  const prefixed = /^(UTC|GMT|UT)([+-].*)$/.exec(id);
  if (prefixed) {
    const offset = parseOffsetId(prefixed[2]!);
    return fixedZone(offset === 0 ? prefixed[1]! : prefixed[1]! + formatOffsetId(offset), offset);
  }
  const short = SHORT_IDS[id];
  if (short) return resolveZone(short);
  if (!/^[A-Za-z][A-Za-z0-9~/._+-]+$/.test(id)) throw new Error(`Invalid ID for region-based ZoneId, invalid format: ${id}`);
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`Unknown time-zone ID: ${id}`);
  }
  // Intl ignores case, ZoneId.of does not
  if (canonical.toLowerCase() === id.toLowerCase() && canonical !== id) throw new Error(`Unknown time-zone ID: ${id}`);
  if (canonical === 'UTC' || canonical === 'Etc/UTC' || canonical === 'Etc/GMT') {
    return { ...fixedZone(id, 0), ianaName: canonical };
  }
  return regionZone(id, canonical);
}

/** '+h', '+hh', '+hh:mm', '+hhmm', '+hh:mm:ss', '+hhmmss' -> ms (ZoneOffset.of). */
function parseOffsetId(text: string): number {
  const m = /^([+-])(\d{1,2})(?:(:?)(\d{2})(?:\3(\d{2}))?)?$/.exec(text);
  if (!m || (m[2]!.length === 1 && m[4] !== undefined)) throw new Error(`Invalid ID for ZoneOffset, invalid format: ${text}`);
  const h = Number(m[2]);
  const min = m[4] ? Number(m[4]) : 0;
  const s = m[5] ? Number(m[5]) : 0;
  if (h > 18 || min > 59 || s > 59 || (h === 18 && (min > 0 || s > 0))) {
    throw new Error(`Zone offset not in valid range: ${text}`);
  }
  return (m[1] === '-' ? -1 : 1) * ((h * 60 + min) * 60 + s) * 1000;
}

/** ZoneOffset.getId(): 'Z', '+02:00', '-07:52:58'. */
export function formatOffsetId(offsetMs: number): string {
  if (offsetMs === 0) return 'Z';
  const total = Math.abs(offsetMs) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const base = `${offsetMs < 0 ? '-' : '+'}${pad2(h)}:${pad2(m)}`;
  return s ? `${base}:${pad2(s)}` : base;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function regionZone(id: string, ianaName: string): Zone {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: ianaName, timeZoneName: 'longOffset' });
  // since 1970 offsets change on quarter hours only: memoize per quarter hour
  const memo = new Map<number, number>();
  const compute = (instantMs: number): number => {
    const name = fmt.formatToParts(instantMs).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(name);
    if (!m || !m[1]) return 0;
    const ms = ((Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000;
    return m[1] === '-' ? -ms : ms;
  };
  return {
    id,
    fixedOffsetMs: null,
    ianaName,
    offsetAt(instantMs: number): number {
      if (!Number.isFinite(instantMs) || Math.abs(instantMs) > 8.64e15) {
        throw new Error(`Instant exceeds minimum or maximum instant: ${instantMs}`);
      }
      // before 1970 transitions can fall on any second (local mean time): memoize per second there
      const bucket = instantMs >= 0 ? floorDiv(instantMs, 900_000) : -1 - floorDiv(-instantMs, 1000);
      let hit = memo.get(bucket);
      if (hit === undefined) {
        hit = compute(instantMs);
        if (memo.size > 50_000) memo.clear();
        memo.set(bucket, hit);
      }
      return hit;
    },
  };
}

/** The offsets valid for a local date-time (ms since the local epoch): 0 in a gap, 2 in an overlap. */
export function validOffsets(localMs: number, zone: Zone): number[] {
  if (zone.fixedOffsetMs !== null) return [zone.fixedOffsetMs];
  const before = zone.offsetAt(localMs - MS_PER_DAY);
  const after = zone.offsetAt(localMs + MS_PER_DAY);
  const out: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    if (zone.offsetAt(localMs - o) === o) out.push(o);
  }
  return out;
}

/**
 * ZonedDateTime.ofLocal: the instant for a local date-time. In a DST gap the local time moves
 * later by the gap's length; in an overlap the preferred offset wins if valid, else the earlier
 * instant (the offset before the transition).
 */
export function localToInstant(localMs: number, zone: Zone, preferredOffsetMs?: number): number {
  if (zone.fixedOffsetMs !== null) return localMs - zone.fixedOffsetMs;
  const valid = validOffsets(localMs, zone);
  if (valid.length === 1) return localMs - valid[0]!;
  const before = zone.offsetAt(localMs - MS_PER_DAY);
  if (valid.length === 0) return localMs - before;
  if (preferredOffsetMs !== undefined && valid.includes(preferredOffsetMs)) return localMs - preferredOffsetMs;
  return localMs - before;
}

/** The offset a local date-time resolves to (see localToInstant). */
export function offsetForLocal(localMs: number, zone: Zone, preferredOffsetMs?: number): number {
  const instant = localToInstant(localMs, zone, preferredOffsetMs);
  return zone.offsetAt(instant);
}

// ---- zone names ('z' / 'zzzz') ----

const nameFormatters = new Map<string, Intl.DateTimeFormat>();

function intlZoneName(ianaName: string, locale: string, style: 'short' | 'long', instantMs: number): string {
  const key = `${ianaName}|${locale}|${style}`;
  let fmt = nameFormatters.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(locale, { timeZone: ianaName, timeZoneName: style });
    nameFormatters.set(key, fmt);
  }
  return fmt.formatToParts(instantMs).find((part) => part.type === 'timeZoneName')?.value ?? ianaName;
}

const LONG_UTC_NAMES: Record<string, string> = {
  UTC: 'Coordinated Universal Time',
  GMT: 'Greenwich Mean Time',
  UT: 'Universal Time',
};

const ABBREVIATING_LOCALES = ['en-GB', 'en-IN', 'en-AU', 'en-NZ'];

/** The zone's display name at an instant, as the 'z' (short) or 'zzzz' (long) pattern prints it. */
export function zoneDisplayName(zone: Zone, instantMs: number, style: 'short' | 'long'): string {
  if (!zone.ianaName) {
    if (zone.id in LONG_UTC_NAMES) return style === 'short' ? zone.id : LONG_UTC_NAMES[zone.id]!;
    return zone.id;
  }
  if (zone.fixedOffsetMs === 0) return style === 'short' ? 'UTC' : LONG_UTC_NAMES.UTC!;
  const us = intlZoneName(zone.ianaName, 'en-US', style, instantMs);
  if (style === 'long' || !/^GMT[+-]/.test(us)) return us;
  // en-US only abbreviates American zones; other English locales know BST, CEST, IST, AEST, ...
  for (const locale of ABBREVIATING_LOCALES) {
    const name = intlZoneName(zone.ianaName, locale, style, instantMs);
    if (!/^GMT[+-]/.test(name)) return name;
  }
  return us;
}

/** Preferred zones for ambiguous abbreviations when parsing ('CST' is Chicago, as in Java). */
const PREFERRED_NAME_ZONES = [
  'UTC',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Europe/London',
  'Europe/Paris',
  'Europe/Helsinki',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
];

let namesToZones: { name: string; zone: string }[] | undefined;

function zoneNameTable(): { name: string; zone: string }[] {
  if (namesToZones) return namesToZones;
  const seen = new Map<string, string>();
  const add = (name: string, zone: string): void => {
    if (!/^GMT[+-]/.test(name) && !seen.has(name)) seen.set(name, zone);
  };
  const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  const winter = Date.UTC(2021, 0, 15);
  const summer = Date.UTC(2021, 6, 15);
  for (const zone of [...PREFERRED_NAME_ZONES, ...supported]) {
    for (const instant of [winter, summer]) {
      for (const style of ['short', 'long'] as const) {
        add(intlZoneName(zone, 'en-US', style, instant), zone);
        add(intlZoneName(zone, 'en-GB', style, instant), zone);
      }
    }
  }
  add('GMT', 'GMT');
  add('UT', 'UT');
  namesToZones = [...seen].map(([name, zone]) => ({ name, zone })).sort((a, b) => b.name.length - a.name.length);
  return namesToZones;
}

/**
 * Reads a zone id or zone name at `pos` (the parse side of 'z' and 'VV'): the longest id that
 * resolves, else the longest known display name. Returns undefined when nothing matches.
 */
export function readZoneText(text: string, pos: number, caseInsensitive: boolean): { zone: Zone; end: number } | undefined {
  const idRun = /^[A-Za-z][A-Za-z0-9~/._+:-]*/.exec(text.slice(pos));
  if (idRun) {
    for (let len = idRun[0].length; len >= 1; len--) {
      const candidate = idRun[0].slice(0, len);
      // a short id like 'PST' resolves, but 'PDT' needs the name table: try ids of 2+ chars only
      if ((len < 2 && candidate !== 'Z') || SHORT_IDS[candidate]) continue;
      try {
        return { zone: resolveZone(candidate), end: pos + len };
      } catch {
        // not an id: keep shortening
      }
    }
  }
  const rest = caseInsensitive ? text.slice(pos).toLowerCase() : text.slice(pos);
  for (const { name, zone } of zoneNameTable()) {
    if (rest.startsWith(caseInsensitive ? name.toLowerCase() : name)) return { zone: resolveZone(zone), end: pos + name.length };
  }
  return undefined;
}
