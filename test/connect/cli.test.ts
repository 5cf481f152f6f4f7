import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PgServer, postgresAvailable } from './pg-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const bin = join(repo, 'bin', 'sluice.js');
const pluginDir = join(here, 'fixtures', 'plugins');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-connect-cli-'));
  // a Kafka Connect worker properties file, as is; plugin.path brings the converters in
  await writeFile(join(dir, 'worker.properties'), `# Connect worker\nbootstrap.servers=localhost:9092\ngroup.id=connect-cluster\nkey.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter.schemas.enable=false\nplugin.path=${pluginDir},/usr/share/java\noffset.flush.interval.ms=1000\n`);
});
after(() => rm(dir, { recursive: true, force: true }));

const workerFlag = () => ['--set', `ksql.connect.worker.config=${join(dir, 'worker.properties')}`];

test('sluice run --until-idle: connectors from a script, waiting until the sink has written everything', async () => {
  const input = join(dir, 'in.txt');
  const output = join(dir, 'out.txt');
  await writeFile(input, 'alpha\nbeta\ngamma\n');
  const script = join(dir, 'pipeline.sql');
  await writeFile(
    script,
    `CREATE SOURCE CONNECTOR words_in WITH ('connector.class'='FileStreamSource', 'file'='${input}', 'topic'='words', 'value.converter'='org.apache.kafka.connect.storage.StringConverter');
CREATE STREAM words (word STRING) WITH (kafka_topic='words', value_format='KAFKA', partitions=1);
CREATE STREAM shout WITH (kafka_topic='shout', value_format='KAFKA') AS SELECT UCASE(word) AS w FROM words;
CREATE SINK CONNECTOR words_out WITH ('connector.class'='FileStreamSink', 'topics'='shout', 'file'='${output}', 'value.converter'='org.apache.kafka.connect.storage.StringConverter');
SHOW CONNECTORS;
`,
  );
  const r = spawnSync(process.execPath, [bin, 'run', script, '--data-dir', join(dir, 'run1'), '--until-idle', '--quiet', '--set', 'auto.offset.reset=earliest', ...workerFlag()], { encoding: 'utf8', cwd: repo, timeout: 180000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /WORDS_IN\s*\|\s*SOURCE\s*\|\s*FileStreamSource\s*\|\s*RUNNING \(1\/1 tasks RUNNING\)/);
  assert.equal(await readFile(output, 'utf8'), 'ALPHA\nBETA\nGAMMA\n');
});

test('the sink process SIGKILLed mid-run and restarted: PostgreSQL holds every datagen record exactly once', { skip: postgresAvailable() ? false : 'PostgreSQL is not installed' }, async () => {
  const pg = await PgServer.start();
  try {
    const script = join(dir, 'to-pg.sql');
    await writeFile(
      script,
      `CREATE SOURCE CONNECTOR gen WITH ('connector.class'='DatagenConnector', 'kafka.topic'='pageviews', 'quickstart'='pageviews', 'max.interval'='4', 'iterations'='4000');
CREATE STREAM pageviews (viewtime BIGINT, userid STRING, pageid STRING) WITH (kafka_topic='pageviews', value_format='JSON', partitions=1);
CREATE STREAM views WITH (kafka_topic='views') AS SELECT viewtime, userid, pageid FROM pageviews;
CREATE SINK CONNECTOR to_pg WITH ('connector.class'='io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url'='${pg.url}', 'connection.user'='sluice', 'topics'='views', 'auto.create'='true', 'batch.size'='100');
`,
    );
    const data = join(dir, 'run2');
    const args = [bin, 'run', script, '--data-dir', data, '--quiet', '--set', 'auto.offset.reset=earliest', ...workerFlag()];
    const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const count = async (): Promise<number> => Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM views').catch(() => [{ n: '0' }]))[0]!.n);
    const end = Date.now() + 150000;
    while ((await count()) < 300) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no rows arrived: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const atKill = await count();
    assert.ok(atKill < 4000, `killed after ${atKill} rows`);
    const r = spawnSync(process.execPath, [...args, '--until-idle'], { encoding: 'utf8', cwd: repo, timeout: 240000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(await pg.query('SELECT count(*)::int AS n, count(DISTINCT "VIEWTIME")::int AS d, min("VIEWTIME")::int AS lo, max("VIEWTIME")::int AS hi FROM views'), [{ n: 4000, d: 4000, lo: 1, hi: 39991 }]);
  } finally {
    await pg.stop();
  }
});
