/** ksqlDB's wording for statements it rejects (joins, INSERT INTO, table functions, UDAF literals). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';

const SOURCES = `
  CREATE STREAM S1 (ID INT KEY, V0 BIGINT) WITH (kafka_topic='left', value_format='JSON', partitions=1);
  CREATE TABLE T2 (ID INT PRIMARY KEY, V0 BIGINT) WITH (kafka_topic='right', value_format='JSON', partitions=1);
  CREATE TABLE T3 (ID INT PRIMARY KEY, V0 BIGINT) WITH (kafka_topic='right2', value_format='JSON', partitions=1);`;

test('join errors name the sources as ksqlDB does', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCES);
    await assert.rejects(
      engine.execute('CREATE STREAM O1 AS SELECT S1.V0, T2.V0, T3.V0 FROM S1 JOIN T2 ON S1.ID = T2.ID JOIN T3 ON S1.ID = T3.ID;'),
      /must include the join expressions S1\.ID, T2\.ID or T3\.ID in its projection \(eg, SELECT S1\.ID\.\.\.\)\./,
    );
    await assert.rejects(
      engine.execute('CREATE STREAM O2 AS SELECT * FROM T2 JOIN T3 ON T2.ID = T3.ID JOIN S1 ON T2.ID = S1.ID;'),
      /Invalid join order: table-stream joins are not supported; only stream-table joins\. Got T2 \[INNER\] JOIN S1\./,
    );
    // a join key projected twice is named as in the join's schema: ALIAS_COLUMN
    await assert.rejects(
      engine.execute('CREATE STREAM O4 AS SELECT S1.ID AS A, S1.ID AS B, T2.V0 FROM S1 JOIN T2 ON S1.ID = T2.ID;'),
      /The projection contains a key column \(`S1_ID`\) more than once, aliased as: A and B\./,
    );
    await assert.rejects(
      engine.execute('CREATE STREAM O3 AS SELECT * FROM S1 JOIN T2 ON S1.ID = T2.ID JOIN T2 ON S1.V0 = T2.V0;'),
      /N-way joins do not support multiple occurrences of the same source\. Source: 'T2'/,
    );
  });
});

test('INSERT INTO prints both schemas with backquoted names; table functions need a stream; init args are literals', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCES);
    await engine.execute("CREATE STREAM SINK (ID INT KEY, V0 BIGINT, V1 BIGINT) WITH (kafka_topic='sink', value_format='JSON', partitions=1);");
    await assert.rejects(engine.execute('INSERT INTO SINK SELECT ID, V0 FROM S1;'), (e: Error) => {
      assert.match(e.message, /Result schema is `ID` INTEGER KEY, `V0` BIGINT\nSink schema is `ID` INTEGER KEY, `V0` BIGINT, `V1` BIGINT/);
      return true;
    });
    await assert.rejects(engine.execute('CREATE TABLE X AS SELECT ID, EXPLODE(ARRAY[V0]) FROM T2;'), /Table source is not supported with table functions/);
    // checked before the key must be projected
    await assert.rejects(
      engine.execute("CREATE STREAM TS WITH (timestamp='invalid_ts') AS SELECT V0 FROM S1;"),
      /The TIMESTAMP column set in the WITH clause does not exist in the schema: 'INVALID_TS'/,
    );
    await assert.rejects(
      engine.execute(`CREATE STREAM S4 (ID INT KEY, F0 INT) WITH (kafka_topic='s4', value_format='JSON', partitions=1);
        CREATE TABLE Y AS SELECT ID, EARLIEST_BY_OFFSET(F0, F0) FROM S4 GROUP BY ID;`),
      /Parameter 2 passed to function EARLIEST_BY_OFFSET must be a literal constant, but was expression: 'F0'/,
    );
  });
});

test("a GROUP BY whose intermediate values its value format cannot hold is refused, as ksqlDB's AVG over DELIMITED", async () => {
  await withEngine(async (engine) => {
    await engine.execute("CREATE STREAM D (ID STRING KEY, V INT) WITH (kafka_topic='d', value_format='DELIMITED', partitions=1);");
    const refused = /One of the functions used in the statement has an intermediate type that the value format can not handle\. Please remove the function or change the format\./;
    // AVG returns a DOUBLE but keeps STRUCT<SUM, COUNT> between records
    await assert.rejects(engine.execute('CREATE TABLE A AS SELECT ID, AVG(V) AS AVG FROM D GROUP BY ID;'), refused);
    await assert.rejects(engine.execute('CREATE TABLE T AS SELECT ID, TOPK(V, 2) AS T FROM D GROUP BY ID;'), refused);
    assert.equal(engine.catalog.getSource('A'), undefined);
    await engine.execute('CREATE TABLE S AS SELECT ID, SUM(V) AS S, COUNT(*) AS C FROM D GROUP BY ID;');
    // JSON holds any intermediate type
    await engine.execute("CREATE STREAM J (ID STRING KEY, V INT) WITH (kafka_topic='j', value_format='JSON', partitions=1);");
    await engine.execute('CREATE TABLE JA AS SELECT ID, AVG(V) AS AVG FROM J GROUP BY ID;');
  });
});

test('window bounds outside the SELECT of a windowed aggregation: unknown in WHERE, refused in HAVING in the order written', async () => {
  await withEngine(async (engine) => {
    await engine.execute("CREATE STREAM W (ROWKEY INT KEY, IGNORED INT) WITH (kafka_topic='w', value_format='JSON', partitions=1);");
    await assert.rejects(
      engine.execute('CREATE TABLE W1 AS SELECT ROWKEY, COUNT(1) AS C FROM W WINDOW TUMBLING (SIZE 1 SECOND) WHERE MIN(windowEnd) < 15000 GROUP BY ROWKEY;'),
      /Error in WHERE expression: Unknown column WINDOWEND\./,
    );
    await assert.rejects(
      engine.execute('CREATE TABLE W2 AS SELECT ROWKEY, COUNT(1) AS C FROM W WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY ROWKEY HAVING windowStart > 11000 AND MIN(windowEnd) < 15000;'),
      /Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed aggregations/,
    );
    await engine.execute('CREATE TABLE W3 AS SELECT ROWKEY, COUNT(1) AS C, WINDOWSTART AS WS FROM W WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY ROWKEY;');
  });
});

test("type errors in a join's WHERE name the columns as the join's schema does (ALIAS_COLUMN)", async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM INPUT_1 (K INT KEY, foo INT, bar INT) WITH (kafka_topic='t1', value_format='JSON', partitions=1);
      CREATE STREAM INPUT_2 (K INT KEY, foo INT, bar STRING) WITH (kafka_topic='t2', value_format='JSON', partitions=1);`);
    await assert.rejects(
      engine.execute('CREATE STREAM OUTPUT AS SELECT I1.FOO, I1.BAR, I2.BAR FROM INPUT_1 I1 JOIN INPUT_2 I2 WITHIN 1 MINUTE ON I1.FOO = I2.FOO WHERE I1.BAR > I2.BAR;'),
      /Error in WHERE expression: Cannot compare I1_BAR \(INTEGER\) to I2_BAR \(STRING\) with GREATER_THAN\./,
    );
    // an unknown column is still reported as written
    await assert.rejects(
      engine.execute('CREATE STREAM OUTPUT AS SELECT I1.FOO FROM INPUT_1 I1 JOIN INPUT_2 I2 WITHIN 1 MINUTE ON I1.FOO = I2.FOO WHERE I1.NOPE > 1;'),
      /cannot be resolved/,
    );
  });
});

test('a join on a MAP (or a type holding one) is refused: its key would hold a map', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM L (ID STRING KEY, l0 MAP<STRING, INT>, l1 INT) WITH (kafka_topic='l', format='JSON', partitions=1);
      CREATE STREAM R (ID STRING KEY, r0 MAP<STRING, INT>, r1 INT) WITH (kafka_topic='r', format='JSON', partitions=1);`);
    await assert.rejects(
      engine.execute('CREATE STREAM OUTPUT AS SELECT L.l0, L.ID, L1, R1 FROM L JOIN R WITHIN 11 SECONDS ON L.l0 = R.r0;'),
      /Map keys, including types that contain maps, are not supported .* Key column name: `L_L0`\. Column type: MAP<STRING, INTEGER>\./,
    );
  });
});
