import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { compareNullsLast, compareSqlValues, javaHashMapEntries, sqlValueEquals, sqlValueKey } from '../../../src/functions/scalar/value-semantics.js';

test('sqlValueEquals is deep and representation aware', () => {
  assert.ok(sqlValueEquals(null, null));
  assert.ok(!sqlValueEquals(null, 0));
  assert.ok(sqlValueEquals(new Decimal('1.0'), new Decimal('1')));
  assert.ok(sqlValueEquals(Buffer.from('a'), Buffer.from('a')));
  assert.ok(sqlValueEquals(new Map<string, unknown>([['a', 1], ['b', [2]]]), new Map<string, unknown>([['b', [2]], ['a', 1]])));
  assert.ok(!sqlValueEquals(new Map([['a', 1]]), new Map([['a', 2]])));
  assert.ok(sqlValueEquals({ A: 1, B: null }, { A: 1, B: null }));
  assert.ok(!sqlValueEquals([1, 2], [1]));
  assert.ok(!sqlValueEquals(1n, 1));
});

test('sqlValueKey agrees with sqlValueEquals', () => {
  const pairs: [unknown, unknown][] = [
    [new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]])],
    [[1, null], [1, null]],
    [{ X: 'a' }, { X: 'a' }],
  ];
  for (const [a, b] of pairs) assert.equal(sqlValueKey(a), sqlValueKey(b));
  assert.notEqual(sqlValueKey('1'), sqlValueKey(1));
  assert.notEqual(sqlValueKey(1n), sqlValueKey(1));
  assert.notEqual(sqlValueKey(null), sqlValueKey('n'));
});

test('compareSqlValues follows Java natural order', () => {
  assert.ok(compareSqlValues('Z', 'a') < 0);
  assert.ok(compareSqlValues(false, true) < 0);
  assert.ok(compareSqlValues(2n, 10n) < 0);
  assert.ok(compareSqlValues(NaN, Infinity) > 0);
  assert.ok(compareSqlValues(-0, 0) < 0);
  assert.ok(compareSqlValues(Buffer.from([0x80]), Buffer.from([0x7f])) > 0);
  assert.ok(compareSqlValues(new Decimal('1.5'), new Decimal('1.25')) > 0);
  assert.ok(compareNullsLast(null, 1) > 0);
  assert.ok(compareNullsLast(1, null) < 0);
  assert.throws(() => compareSqlValues(1, 'a'));
});

test('javaHashMapEntries iterates like java.util.HashMap: by bucket of the hash, then insertion', () => {
  const m = new Map<string, number>([
    ['yes, thanks', 1],
    ['nope', 2],
    ['sure, yeah', 3],
  ]);
  // "nope" hashes to a later bucket than the other two (conformance: reduce-map.json with double)
  assert.deepEqual(
    javaHashMapEntries(m).map(([k]) => k),
    ['yes, thanks', 'sure, yeah', 'nope'],
  );
  const odd = new Map<unknown, number>([[{ x: 1 }, 1], [{ y: 2 }, 2]]);
  assert.deepEqual(javaHashMapEntries(odd).map(([, v]) => v), [1, 2]);
});
