import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  civilFromDays,
  dayOfYear,
  daysFromCivil,
  isLeapYear,
  isoDayOfWeek,
  lengthOfMonth,
} from '../../../../src/functions/scalar/datetime/civil-calendar.js';

test('days <-> civil dates agree with JS Date across eras', () => {
  for (let days = -800_000; days <= 800_000; days += 997) {
    const c = civilFromDays(days);
    assert.equal(daysFromCivil(c.year, c.month, c.day), days);
    if (c.year >= 100) {
      const d = new Date(days * 86_400_000);
      assert.deepEqual([c.year, c.month, c.day], [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
    }
  }
});

test('epoch and well-known dates', () => {
  assert.deepEqual(civilFromDays(0), { year: 1970, month: 1, day: 1 });
  assert.deepEqual(civilFromDays(-1), { year: 1969, month: 12, day: 31 });
  assert.equal(daysFromCivil(2018, 5, 11), 17662);
  // proleptic year 0 is a leap year
  assert.equal(daysFromCivil(0, 3, 1) - daysFromCivil(0, 2, 28), 2);
});

test('leap years, month lengths, day of week and day of year', () => {
  assert.equal(isLeapYear(2000), true);
  assert.equal(isLeapYear(1900), false);
  assert.equal(isLeapYear(2024), true);
  assert.equal(isLeapYear(-4), true);
  assert.equal(lengthOfMonth(2023, 2), 28);
  assert.equal(lengthOfMonth(2024, 2), 29);
  assert.equal(lengthOfMonth(2024, 4), 30);
  assert.equal(isoDayOfWeek(0), 4); // Thursday
  assert.equal(isoDayOfWeek(17662), 5); // 2018-05-11 was a Friday
  assert.equal(isoDayOfWeek(-4), 7);
  assert.equal(dayOfYear({ year: 2020, month: 12, day: 31 }), 366);
  assert.equal(dayOfYear({ year: 2021, month: 3, day: 1 }), 60);
});
