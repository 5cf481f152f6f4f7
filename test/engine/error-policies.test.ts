import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine } from '../../src/index.js';
import { jsonValues, readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';
import { Engine as EngineClass } from '../../src/index.js';

const SOURCE = `CREATE STREAM orders (id BIGINT KEY, item STRING, qty INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');
  CREATE STREAM copy AS SELECT * FROM orders;`;
const KEY = Buffer.alloc(8);

async function withEngineProps(properties: Record<string, string>, fn: (engine: Engine) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const engine = await EngineClass.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', ...properties } });
  try {
    await fn(engine);
  } finally {
    await engine.close();
    await dir.cleanup();
  }
}

const produceRaw = (engine: Engine, ...values: string[]) =>
  engine.log.produce(values.map((v) => ({ topic: 'orders', partition: 0, key: KEY, value: Buffer.from(v) })));

const showQueries = async (engine: Engine) => (await engine.execute('SHOW QUERIES;'))[0]!.table!.rows;

interface PolicyCase {
  readonly name: string;
  readonly properties: Record<string, string>;
  /** statements run after the query was created, before the bad record is read */
  readonly before?: (engine: Engine) => Promise<unknown>;
  /** what the copy query wrote (when its topic still exists) */
  readonly written?: readonly string[];
  readonly bad: (engine: Engine) => Promise<unknown>;
  readonly logged: string;
  /** the query stops (ERROR) rather than skipping the record */
  readonly fails: boolean;
}

const CASES: readonly PolicyCase[] = [
  { name: 'deserialization error, default policy: log and skip', properties: {}, bad: (e) => produceRaw(e, '{not json'), logged: 'DESERIALIZATION_ERROR', fails: false, written: ['first', 'after'] },
  {
    name: 'deserialization error, ksql.fail.on.deserialization.error=true: the query fails',
    properties: { 'ksql.fail.on.deserialization.error': 'true' },
    bad: (e) => produceRaw(e, '{not json'),
    logged: 'DESERIALIZATION_ERROR',
    fails: true,
    written: ['first'],
  },
  {
    name: 'production error, default policy: the query fails',
    properties: {},
    bad: (e) => e.log.deleteTopic('COPY'),
    logged: 'PRODUCTION_ERROR',
    fails: true,
  },
  {
    name: 'production error, ksql.fail.on.production.error=false: log and drop the output',
    properties: { 'ksql.fail.on.production.error': 'false' },
    bad: (e) => e.log.deleteTopic('COPY'),
    logged: 'PRODUCTION_ERROR',
    fails: false,
  },
  {
    name: 'record processing error (an expression failing): always log and continue',
    properties: { 'ksql.fail.on.deserialization.error': 'true' },
    before: async (e) => {
      await e.execute(`CREATE STREAM parsed AS SELECT id, CAST(item AS INT) AS n FROM orders;`);
    },
    bad: (e) => produceRaw(e, '{"ITEM":"not a number","QTY":1}'),
    logged: 'RECORD_PROCESSING_ERROR',
    fails: false,
    written: ['first', 'not a number', 'after'],
  },
];

for (const c of CASES) {
  test(`error policy: ${c.name}`, async () => {
    await withEngineProps(c.properties, async (engine) => {
      await engine.execute(SOURCE);
      await c.before?.(engine);
      await produceRaw(engine, '{"ITEM":"first","QTY":1}');
      await engine.runUntilIdle();
      await c.bad(engine);
      await produceRaw(engine, '{"ITEM":"after","QTY":2}');
      await engine.runUntilIdle();
      const entry = engine.processingLog.find((e) => e.type === c.logged);
      assert.ok(entry, `a ${c.logged} entry in ${JSON.stringify(engine.processingLog)}`);
      // entries are plain JSON
      assert.deepEqual(JSON.parse(JSON.stringify(entry)), entry);
      if (c.written) assert.deepEqual(jsonValues(await readTopic(engine.log, 'COPY')).map((v) => v.ITEM), c.written);
      const copy = (await showQueries(engine)).find((r) => r[0] === 'CSAS_COPY_1')!;
      if (c.fails) {
        assert.equal(copy[1], 'ERROR');
        assert.ok(copy[4]!.length > 0, 'SHOW QUERIES shows the error');
        assert.equal(engine.failedQueries()[0]?.queryId, 'CSAS_COPY_1');
        assert.ok(engine.processingLog.some((e) => e.type === 'QUERY_ERROR' && e.queryId === 'CSAS_COPY_1'));
      } else {
        assert.equal(copy[1], 'RUNNING');
        assert.deepEqual(engine.failedQueries(), []);
      }
    });
  });
}

test('a query stopped by an error is restarted by RESUME once fixed, from where it stopped', async () => {
  await withEngineProps({}, async (engine) => {
    await engine.execute(SOURCE);
    await produceRaw(engine, '{"ITEM":"a","QTY":1}');
    await engine.runUntilIdle();
    await engine.log.deleteTopic('COPY');
    await produceRaw(engine, '{"ITEM":"b","QTY":2}');
    await engine.runUntilIdle();
    assert.equal((await showQueries(engine))[0]![1], 'ERROR');
    assert.match((await engine.execute('EXPLAIN CSAS_COPY_1;'))[0]!.message, /Status: ERROR/);
    // the fix: the sink topic exists again
    await engine.log.createTopic('COPY', { partitions: 1 });
    await engine.execute('RESUME CSAS_COPY_1;');
    await produceRaw(engine, '{"ITEM":"c","QTY":3}');
    await engine.runUntilIdle();
    assert.equal((await showQueries(engine))[0]![1], 'RUNNING');
    assert.deepEqual(engine.failedQueries(), []);
    // 'b' was not committed when the query stopped, so the restarted query writes it: nothing lost
    assert.deepEqual(jsonValues(await readTopic(engine.log, 'COPY')).map((v) => v.ITEM), ['b', 'c']);
  });
});

test('a source topic deleted under a running query stops it (ERROR), without calling it a production error', async () => {
  await withEngineProps({}, async (engine) => {
    await engine.execute(SOURCE);
    await engine.runUntilIdle();
    await engine.log.deleteTopic('orders');
    await engine.runUntilIdle();
    const [row] = await showQueries(engine);
    assert.equal(row![1], 'ERROR');
    assert.match(row![4]!, /CSAS_COPY_1.*unknown topic 'orders'/);
    assert.deepEqual(engine.processingLog.map((e) => e.type), ['QUERY_ERROR']);
  });
});

test('the processing log is a stream: PRINT its topic, and query it with SQL', async () => {
  await withEngineProps({}, async (engine) => {
    await engine.execute(SOURCE);
    await engine.execute(`CREATE STREAM errors AS SELECT LOGGER, LEVEL, MESSAGE->TYPE AS t, MESSAGE->DESERIALIZATIONERROR->ERRORMESSAGE AS msg, MESSAGE->DESERIALIZATIONERROR->TARGET AS target FROM KSQL_PROCESSING_LOG;`);
    await produceRaw(engine, '{not json');
    await engine.runUntilIdle();
    await engine.runUntilIdle();
    const rows = jsonValues(await readTopic(engine.log, 'ERRORS'));
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].LOGGER, 'processing.CSAS_COPY_1.Source/ORDERS');
    assert.equal(rows[0].LEVEL, 'ERROR');
    assert.equal(rows[0].T, 0);
    assert.equal(rows[0].TARGET, 'value');
    assert.ok(typeof rows[0].MSG === 'string' && rows[0].MSG.length > 0);
    const printed = (await engine.execute(`PRINT 'default_ksql_processing_log' FROM BEGINNING LIMIT 1;`))[0]!.message;
    assert.match(printed, /"LOGGER":"processing\.CSAS_COPY_1\.Source\/ORDERS"/);
    assert.match(printed, /"DESERIALIZATIONERROR":\{"TARGET":"value"/);
  });
});

test('ksql.logging.processing.rows.include puts the bad record in the entry', async () => {
  await withEngineProps({ 'ksql.logging.processing.rows.include': 'true' }, async (engine) => {
    await engine.execute(SOURCE);
    await produceRaw(engine, '{not json');
    await engine.runUntilIdle();
    assert.equal(Buffer.from(engine.processingLog[0]!.recordBase64!, 'base64').toString(), '{not json');
  });
});

test('the processing-log topic and stream can be switched off, or renamed', async () => {
  await withEngineProps({ 'ksql.logging.processing.stream.auto.create': 'false', 'ksql.service.id': 'svc_' }, async (engine) => {
    assert.equal(engine.catalog.getSource('KSQL_PROCESSING_LOG'), undefined);
    assert.ok((await engine.log.listTopics()).includes('svc_ksql_processing_log'));
  });
  await withEngineProps({ 'ksql.logging.processing.topic.auto.create': 'false' }, async (engine) => {
    assert.equal(engine.catalog.getSource('KSQL_PROCESSING_LOG'), undefined);
    assert.ok(!(await engine.log.listTopics()).includes('default_ksql_processing_log'));
    await engine.execute(SOURCE);
    await produceRaw(engine, '{not json');
    await engine.runUntilIdle();
    assert.equal(engine.processingLog.length, 1, 'still kept in memory and passed to onProcessingLog');
  });
});
