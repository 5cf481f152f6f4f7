import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatOffsetId,
  localToInstant,
  readZoneText,
  resolveZone,
  validOffsets,
  zoneDisplayName,
} from '../../../../src/functions/scalar/datetime/time-zones.js';

const HOUR = 3_600_000;

test('fixed offsets in every ZoneId.of spelling', () => {
  assert.equal(resolveZone('+0200').offsetAt(0), 2 * HOUR);
  assert.equal(resolveZone('+02:00').id, '+02:00');
  assert.equal(resolveZone('-5').offsetAt(123), -5 * HOUR);
  assert.equal(resolveZone('+05:30:15').offsetAt(0), (5 * 3600 + 30 * 60 + 15) * 1000);
  assert.equal(resolveZone('Z').offsetAt(0), 0);
  assert.equal(resolveZone('UTC+3').offsetAt(0), 3 * HOUR);
  assert.equal(resolveZone('UTC+3').id, 'UTC+03:00');
  assert.equal(resolveZone('GMT').fixedOffsetMs, 0);
  assert.equal(formatOffsetId(-(7 * 3600 + 52 * 60 + 58) * 1000), '-07:52:58');
  assert.equal(formatOffsetId(0), 'Z');
});

test('region zones follow DST via Intl', () => {
  const la = resolveZone('America/Los_Angeles');
  assert.equal(la.offsetAt(Date.UTC(2020, 0, 15)), -8 * HOUR);
  assert.equal(la.offsetAt(Date.UTC(2020, 6, 15)), -7 * HOUR);
  // spring forward at 2020-03-08T10:00Z
  assert.equal(la.offsetAt(Date.UTC(2020, 2, 8, 9, 59, 59)), -8 * HOUR);
  assert.equal(la.offsetAt(Date.UTC(2020, 2, 8, 10)), -7 * HOUR);
  // short ids map like ZoneId.SHORT_IDS
  assert.equal(resolveZone('PST').offsetAt(Date.UTC(2020, 6, 15)), -7 * HOUR);
});

test('unknown and malformed ids are rejected', () => {
  assert.throws(() => resolveZone('Mars/Olympus'), /Unknown time-zone ID: Mars\/Olympus/);
  assert.throws(() => resolveZone('america/los_angeles'), /Unknown time-zone ID/);
  assert.throws(() => resolveZone('+25:00'), /not in valid range/);
  assert.throws(() => resolveZone('+2:3'), /Invalid ID for ZoneOffset/);
  assert.throws(() => resolveZone('!x'), /invalid format/);
});

test('local times in a DST gap move later; overlaps honour the preferred offset', () => {
  const la = resolveZone('America/Los_Angeles');
  const gapLocal = Date.UTC(2020, 2, 8, 2, 30);
  assert.deepEqual(validOffsets(gapLocal, la), []);
  assert.equal(localToInstant(gapLocal, la), Date.UTC(2020, 2, 8, 10, 30)); // 03:30 PDT
  const overlapLocal = Date.UTC(2020, 10, 1, 1, 30);
  assert.equal(validOffsets(overlapLocal, la).length, 2);
  assert.equal(localToInstant(overlapLocal, la), Date.UTC(2020, 10, 1, 8, 30)); // earlier: PDT
  assert.equal(localToInstant(overlapLocal, la, -8 * HOUR), Date.UTC(2020, 10, 1, 9, 30));
  assert.equal(localToInstant(overlapLocal, la, -5 * HOUR), Date.UTC(2020, 10, 1, 8, 30));
});

test('display names and reading zone text', () => {
  const london = resolveZone('Europe/London');
  assert.equal(zoneDisplayName(london, Date.UTC(2018, 4, 11), 'short'), 'BST');
  assert.equal(zoneDisplayName(london, Date.UTC(2018, 0, 11), 'short'), 'GMT');
  assert.equal(zoneDisplayName(resolveZone('America/Los_Angeles'), Date.UTC(2018, 0, 11), 'long'), 'Pacific Standard Time');
  assert.equal(zoneDisplayName(resolveZone('+02:00'), 0, 'short'), '+02:00');
  const id = readZoneText('x Europe/Paris rest', 2, false);
  assert.equal(id?.zone.id, 'Europe/Paris');
  assert.equal(id?.end, 14);
  assert.equal(readZoneText('PDT', 0, false)?.zone.id, 'America/Los_Angeles');
  assert.equal(readZoneText('Eastern Standard Time!', 0, false)?.end, 21);
  assert.equal(readZoneText('pdt', 0, false), undefined);
  assert.equal(readZoneText('pdt', 0, true)?.zone.id, 'America/Los_Angeles');
  assert.equal(readZoneText('123', 0, false), undefined);
});
