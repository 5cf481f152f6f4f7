/**
 * bench/connect: rows/s into PostgreSQL through the JDBC sink, next to the same rows written by a
 * plain node-postgres loop of batched `INSERT ... ON CONFLICT` and by a `COPY`, in the same run on the
 * same server (a temporary PostgreSQL started by the bench, fsync off).
 *
 *   node dist/bench/connect/connect-bench.js [--rows 100000] [--batch 3000]
 *
 * 1. sink: the rows are in a topic of the embedded log (schemaless JSON); a JdbcSinkConnector
 *    (insert.mode=upsert, pk.mode=record_value, batch.size) writes them, each put one transaction
 *    with its offsets (exactly-once). Timed from creating the connector until the worker is idle.
 * 2. INSERT ... ON CONFLICT: the same rows, `--batch` per multi-row statement, one transaction each.
 * 3. COPY: the same rows as CSV, one server-side `COPY ... FROM` file.
 */
import { mkdtemp, rm, writeFile, chown } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openLocalLog } from '../../src/log/local/index.js';
import { Worker } from '../../src/connect/runtime/worker.js';
import { PgServer } from '../../test/connect/pg-server.js';
import { testPlugins } from '../../test/connect/test-plugins.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROWS = arg('rows', 100_000);
const BATCH = arg('batch', 3000);

const rowOf = (i: number) => ({ id: i, name: `name-${i}`, amount: (i % 1000) / 10, region: `Region_${i % 9}` });
const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;

async function main(): Promise<void> {
  console.log(`bench/connect: ${ROWS} rows, batch ${BATCH}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`);
  const pg = await PgServer.start();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-bench-'));
  try {
    // 1. the sink
    const log = await openLocalLog(join(dir, 'log'));
    await log.createTopic('bench', { partitions: 1 });
    for (let i = 0; i < ROWS; i += 10_000) {
      await log.produce(Array.from({ length: Math.min(10_000, ROWS - i) }, (_, j) => ({ topic: 'bench', partition: 0, key: null, value: Buffer.from(JSON.stringify(rowOf(i + j))) })));
    }
    const worker = await Worker.open(log, { plugins: testPlugins(), logLine: (l) => console.error(l) });
    let t = performance.now();
    await worker.create('bench-sink', {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': pg.url,
      'connection.user': 'sluice',
      topics: 'bench',
      'table.name.format': 'via_sink',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'true',
      'batch.size': String(BATCH),
      'consumer.override.max.poll.records': String(BATCH),
    });
    await worker.waitIdle();
    const sinkMs = performance.now() - t;
    const sinkRows = Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM via_sink'))[0]!.n);
    await worker.close();
    await log.close();

    // 2. batched INSERT ... ON CONFLICT
    const c = pg.client();
    await c.connect();
    await c.query('CREATE TABLE via_insert (id BIGINT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION, region TEXT)');
    t = performance.now();
    for (let i = 0; i < ROWS; i += BATCH) {
      const n = Math.min(BATCH, ROWS - i);
      const params: unknown[] = [];
      const tuples: string[] = [];
      for (let j = 0; j < n; j++) {
        const r = rowOf(i + j);
        params.push(r.id, r.name, r.amount, r.region);
        tuples.push(`($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4})`);
      }
      await c.query('BEGIN');
      await c.query(`INSERT INTO via_insert (id, name, amount, region) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, region = EXCLUDED.region`, params);
      await c.query('COMMIT');
    }
    const insertMs = performance.now() - t;

    // 3. COPY (server-side file, readable by the server's user)
    const csv = join(pg.dir, 'rows.csv');
    t = performance.now();
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const r = rowOf(i);
      lines.push(`${r.id},${r.name},${r.amount},${r.region}`);
    }
    await writeFile(csv, lines.join('\n') + '\n');
    if (process.getuid?.() === 0) await chown(csv, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    await c.query('CREATE TABLE via_copy (id BIGINT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION, region TEXT)');
    await c.query(`COPY via_copy FROM '${csv}' WITH (FORMAT csv)`);
    const copyMs = performance.now() - t;
    await c.end();

    console.log(`JDBC sink (upsert, exactly-once offsets): ${sinkRows} rows in ${sinkMs.toFixed(0)} ms = ${rate(sinkRows, sinkMs)}`);
    console.log(`batched INSERT ... ON CONFLICT:            ${ROWS} rows in ${insertMs.toFixed(0)} ms = ${rate(ROWS, insertMs)}`);
    console.log(`COPY (CSV, server-side file):              ${ROWS} rows in ${copyMs.toFixed(0)} ms = ${rate(ROWS, copyMs)}`);
    console.log(`sink / INSERT loop: ${(insertMs / sinkMs).toFixed(2)}x; sink / COPY: ${(copyMs / sinkMs).toFixed(2)}x`);
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
