import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import { createWindowedKeySerde, splitWindowedKey, windowedKeyBytes } from '../../src/serde/index.js';

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));

test('windowed keys: time windows are [key][start], the end comes from the size', () => {
  const serde = createWindowedKeySerde('KAFKA', [{ name: 'K', type: T.STRING }], {}, { type: 'TUMBLING', sizeMs: 1000 });
  const bytes = serde.serialize(['a'], { start: 2000, end: 3000 });
  assert.equal(hex(bytes), '61' + '00000000000007d0');
  assert.deepEqual(serde.deserialize(bytes), { key: ['a'], window: { start: 2000, end: 3000 } });
  assert.equal(serde.serialize(['a'], null), null);
  assert.equal(serde.deserialize(null), null);
  const hopping = createWindowedKeySerde('JSON', [{ name: 'K', type: T.INTEGER }], {}, { type: 'HOPPING', sizeMs: 5 });
  assert.deepEqual(hopping.deserialize(Buffer.concat([Buffer.from('42'), Buffer.from('0000000000000064', 'hex')])), {
    key: [42],
    window: { start: 100, end: 105 },
  });
});

test('windowed keys: session windows are [key][end][start]', () => {
  const serde = createWindowedKeySerde('KAFKA', [{ name: 'K', type: T.STRING }], {}, { type: 'SESSION' });
  const bytes = serde.serialize(['k'], { start: 12, end: 465 });
  assert.equal(hex(bytes), '6b' + '00000000000001d1' + '000000000000000c');
  assert.deepEqual(serde.deserialize(bytes), { key: ['k'], window: { start: 12, end: 465 } });
  // a multi-column key in its own format, then the window
  const multi = createWindowedKeySerde('JSON', [{ name: 'A', type: T.INTEGER }, { name: 'B', type: T.STRING }], {}, { type: 'SESSION' });
  const m = multi.serialize([1, 'x'], { start: 0, end: 10 })!;
  assert.equal(m.subarray(0, m.length - 16).toString(), '{"A":1,"B":"x"}');
  assert.deepEqual(multi.deserialize(m), { key: [1, 'x'], window: { start: 0, end: 10 } });
});

test('windowed keys: byte helpers and bad input', () => {
  const raw = windowedKeyBytes(null, { start: 1, end: 2 }, 'SESSION');
  assert.equal(hex(raw), '0000000000000002' + '0000000000000001');
  assert.deepEqual(splitWindowedKey(raw, { type: 'SESSION' }), { keyBytes: Buffer.alloc(0), window: { start: 1, end: 2 } });
  // Kafka's TimeWindow: an end past Long.MAX_VALUE is clamped
  const late = splitWindowedKey(Buffer.from('7ffffffffffffff0', 'hex'), { type: 'TUMBLING', sizeMs: 1000 });
  assert.equal(late.window.end, Number(9223372036854775807n));
  const serde = createWindowedKeySerde('KAFKA', [{ name: 'K', type: T.INTEGER }], { topic: 't' }, { type: 'TUMBLING', sizeMs: 10 });
  assert.throws(() => serde.deserialize(Buffer.from('0102', 'hex')), (e: unknown) => e instanceof SerdeError && /from topic: t/.test(e.message));
  assert.throws(() => createWindowedKeySerde('KAFKA', [{ name: 'K', type: T.BOOLEAN }], {}, { type: 'SESSION' }), /Key format does not support schema/);
});
