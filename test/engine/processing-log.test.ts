import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessingErrorType } from '../../src/runtime/processor.js';
import { processingLogEntry } from '../../src/runtime/processing-errors.js';
import { processingLogRecord, processingLogSettings } from '../../src/engine/processing-log.js';

const FIELDS = ['DESERIALIZATIONERROR', 'RECORDPROCESSINGERROR', 'PRODUCTIONERROR', 'SERIALIZATIONERROR', 'KAFKASTREAMSTHREADERROR'];

// ksqlDB's MESSAGE.TYPE numbering and the one struct each type fills
const RECORD_CASES: readonly [ProcessingErrorType, number, string, Record<string, unknown>][] = [
  ['DESERIALIZATION_ERROR', 0, 'DESERIALIZATIONERROR', { TARGET: 'value', ERRORMESSAGE: 'boom', RECORDB64: null, CAUSE: ['why'], topic: 't' }],
  ['RECORD_PROCESSING_ERROR', 1, 'RECORDPROCESSINGERROR', { ERRORMESSAGE: 'boom', RECORD: null, CAUSE: ['why'] }],
  ['PRODUCTION_ERROR', 2, 'PRODUCTIONERROR', { ERRORMESSAGE: 'boom' }],
  ['SERIALIZATION_ERROR', 3, 'SERIALIZATIONERROR', { TARGET: 'value', ERRORMESSAGE: 'boom', RECORD: null, CAUSE: ['why'], topic: 't' }],
  ['QUERY_ERROR', 4, 'KAFKASTREAMSTHREADERROR', { ERRORMESSAGE: 'boom', THREADNAME: 'CSAS_X_1', CAUSE: ['why'] }],
];

for (const [type, number, field, detail] of RECORD_CASES) {
  test(`a ${type} entry is written in ksqlDB's processing-log layout (TYPE ${number}, ${field})`, () => {
    const entry = processingLogEntry('CSAS_X_1', 'Source/S', new Error('boom', { cause: new Error('why') }), { type, topic: 't', target: 'value' });
    const record = processingLogRecord(entry) as { LOGGER: string; LEVEL: string; TIME: number; MESSAGE: Record<string, unknown> };
    assert.equal(record.LOGGER, 'processing.CSAS_X_1.Source/S');
    assert.equal(record.LEVEL, 'ERROR');
    assert.equal(record.TIME, entry.time);
    assert.equal(record.MESSAGE.TYPE, number);
    assert.deepEqual(record.MESSAGE[field], detail);
    for (const other of FIELDS.filter((f) => f !== field)) assert.equal(record.MESSAGE[other], null);
  });
}

test("the processing-log settings follow ksqlDB's names and defaults", () => {
  assert.deepEqual(processingLogSettings(new Map()), {
    topic: 'default_ksql_processing_log',
    partitions: 1,
    replicas: 1,
    topicAutoCreate: true,
    streamAutoCreate: true,
    streamName: 'KSQL_PROCESSING_LOG',
  });
  const custom = processingLogSettings(
    new Map([
      ['ksql.service.id', 'prod_'],
      ['ksql.logging.processing.stream.name', 'errors'],
      ['ksql.logging.processing.topic.partitions', '3'],
    ]),
  );
  assert.equal(custom.topic, 'prod_ksql_processing_log');
  assert.equal(custom.streamName, 'ERRORS');
  assert.equal(custom.partitions, 3);
  assert.equal(processingLogSettings(new Map([['ksql.logging.processing.topic.name', 'plog']])).topic, 'plog');
});
