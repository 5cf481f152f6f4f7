import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Schemas, Struct, type ConnectRecord, type Schema } from '../../../src/connect/api/index.js';
import { BUILTIN_TRANSFORMS } from '../../../src/connect/transforms/index.js';
import { bigIntegerBytes } from '../../../src/connect/connectors/debezium/pg-cdc-values.js';

const row: Schema = Schemas.struct(
  [
    { name: 'id', schema: Schemas.primitive('INT32') },
    { name: 'name', schema: Schemas.primitive('STRING', true) },
  ],
  { name: 'shop.public.items.Value', optional: true },
);
const source: Schema = Schemas.struct(
  [
    { name: 'table', schema: Schemas.primitive('STRING') },
    { name: 'lsn', schema: Schemas.primitive('INT64', true) },
  ],
  { name: 'io.debezium.connector.postgresql.Source' },
);
const envelope: Schema = Schemas.struct(
  [
    { name: 'before', schema: row },
    { name: 'after', schema: row },
    { name: 'source', schema: source },
    { name: 'op', schema: Schemas.primitive('STRING') },
    { name: 'ts_ms', schema: Schemas.primitive('INT64', true) },
  ],
  { name: 'shop.public.items.Envelope' },
);

function event(op: string, before: [number, string] | null, after: [number, string] | null): ConnectRecord {
  const r = (v: [number, string] | null) => (v ? new Struct(row).put('id', v[0]).put('name', v[1]) : null);
  const value = new Struct(envelope).put('before', r(before)).put('after', r(after)).put('source', new Struct(source).put('table', 'items').put('lsn', 42n)).put('op', op).put('ts_ms', 7n);
  return { topic: 'shop.public.items', kafkaPartition: null, keySchema: null, key: null, valueSchema: envelope, value, timestamp: null, headers: [] };
}

function unwrap(config: Record<string, string> = {}) {
  const t = BUILTIN_TRANSFORMS['io.debezium.transforms.ExtractNewRecordState']!();
  t.configure(config);
  return t;
}

const plain = (s: unknown): Record<string, unknown> => Object.fromEntries(((s as Struct).schema.fields ?? []).map((f) => [f.name, (s as Struct).get(f.name)]));

describe('ExtractNewRecordState', () => {
  it('replaces the envelope with the after row, keeping its schema', () => {
    const out = unwrap().apply(event('u', [1, 'a'], [1, 'b']))!;
    assert.equal(out.valueSchema, row);
    assert.deepEqual(plain(out.value), { id: 1, name: 'b' });
  });

  it('drops deletes and tombstones by default; none keeps a delete as a null value and tombstones when asked', () => {
    const tombstone = { ...event('d', null, null), value: null, valueSchema: null };
    assert.equal(unwrap().apply(event('d', [1, 'a'], null)), null);
    assert.equal(unwrap().apply(tombstone), null);
    const kept = unwrap({ 'delete.handling.mode': 'none', 'drop.tombstones': 'false' });
    assert.equal(kept.apply(event('d', [1, 'a'], null))!.value, null);
    assert.equal(kept.apply(tombstone), tombstone);
  });

  it('rewrite marks every row with __deleted, a delete carrying its before row', () => {
    const t = unwrap({ 'delete.handling.mode': 'rewrite' });
    assert.deepEqual(plain(t.apply(event('d', [2, 'x'], null))!.value), { id: 2, name: 'x', __deleted: 'true' });
    assert.deepEqual(plain(t.apply(event('c', null, [3, 'y']))!.value), { id: 3, name: 'y', __deleted: 'false' });
  });

  it('add.fields and add.headers copy envelope and source fields under the prefix', () => {
    const out = unwrap({ 'add.fields': 'op,source.lsn,table', 'add.headers': 'op', 'add.headers.prefix': 'dbz.' }).apply(event('c', null, [4, 'z']))!;
    assert.deepEqual(plain(out.value), { id: 4, name: 'z', __op: 'c', __source_lsn: 42n, __table: 'items' });
    assert.deepEqual(out.headers.map((h) => [h.key, h.value]), [['dbz.op', 'c']]);
  });

  it('passes records that are not change events unchanged', () => {
    const other: ConnectRecord = { topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: row, value: new Struct(row).put('id', 1), timestamp: null, headers: [] };
    assert.equal(unwrap().apply(other), other);
  });
});

describe('Debezium value encodings', () => {
  it("VariableScaleDecimal's unscaled value is java.math.BigInteger.toByteArray()", () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [127n, '7f'],
      [128n, '0080'],
      [-1n, 'ff'],
      [-128n, '80'],
      [-129n, 'ff7f'],
      [1050n, '041a'],
      [-65536n, 'ff0000'],
    ];
    for (const [n, hex] of cases) assert.equal(bigIntegerBytes(n).toString('hex'), hex, String(n));
  });
});
