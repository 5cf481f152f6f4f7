import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessingErrorType, ProcessingLogEntry } from '../../src/runtime/processor.js';
import { ProcessingFailure, errorPolicies, processingErrorHandler, processingLogEntry } from '../../src/runtime/processing-errors.js';

const POLICY_CASES: readonly [Record<string, string>, ProcessingErrorType, 'continue' | 'fail'][] = [
  [{}, 'DESERIALIZATION_ERROR', 'continue'],
  [{ 'ksql.fail.on.deserialization.error': 'true' }, 'DESERIALIZATION_ERROR', 'fail'],
  [{ 'ksql.fail.on.deserialization.error': 'TRUE ' }, 'DESERIALIZATION_ERROR', 'fail'],
  [{ 'ksql.streams.fail.on.deserialization.error': 'true' }, 'DESERIALIZATION_ERROR', 'fail'],
  [{}, 'PRODUCTION_ERROR', 'fail'],
  [{ 'ksql.fail.on.production.error': 'false' }, 'PRODUCTION_ERROR', 'continue'],
  [{ 'ksql.fail.on.deserialization.error': 'true' }, 'RECORD_PROCESSING_ERROR', 'continue'],
  [{ 'ksql.fail.on.production.error': 'true' }, 'SERIALIZATION_ERROR', 'continue'],
];

for (const [config, type, policy] of POLICY_CASES) {
  test(`policy for ${type} under ${JSON.stringify(config)}: ${policy}`, () => {
    assert.equal(errorPolicies(new Map(Object.entries(config)))[type], policy);
    const reported: ProcessingLogEntry[] = [];
    const handle = processingErrorHandler('Q1', new Map(Object.entries(config)), (e) => reported.push(e));
    const call = () => handle('Source/S', new Error('bad', { cause: new Error('root cause') }), { type, topic: 's', partition: 1, offset: 7n });
    if (policy === 'fail') assert.throws(call, (e: unknown) => e instanceof ProcessingFailure && e.entry === reported[0]);
    else call();
    // reported either way, before the policy is applied
    assert.equal(reported.length, 1);
    assert.equal(reported[0]!.type, type);
  });
}

test('entries are plain JSON: offsets as numbers, causes as strings, record bytes only when asked', () => {
  const where = { type: 'DESERIALIZATION_ERROR' as const, topic: 't', partition: 0, offset: 12n, target: 'value' as const, record: Buffer.from('{x') };
  const entry = processingLogEntry('Q', 'Source/T', new Error('outer', { cause: new Error('inner') }), where);
  assert.deepEqual(JSON.parse(JSON.stringify(entry)), entry);
  assert.equal(entry.offset, 12);
  assert.deepEqual(entry.cause, ['inner']);
  assert.equal(entry.recordBase64, undefined);
  assert.equal(processingLogEntry('Q', 'Source/T', 'text error', where, true).recordBase64, Buffer.from('{x').toString('base64'));
  assert.equal(processingLogEntry('Q', 'Project', new Error('x')).type, 'RECORD_PROCESSING_ERROR');
});
