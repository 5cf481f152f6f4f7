/**
 * bench/server: the cost of the server.
 *
 *   node dist/bench/server/server-bench.js [--clients 200] [--rate 10000] [--seconds 10] [--rows 20000]
 *
 * 1. Insert throughput, same run, same engine: `engine.insert` one row at a time and in batches of
 *    1000, then the same number of rows through one POST /inserts-stream (a row per line, an ack
 *    per row, HTTP/1.1; the server inserts the rows that arrive together as one batch). The ratios
 *    are what the HTTP layer costs (or saves) per row.
 * 2. Delivery: N push-query clients (each its own HTTP/1.1 connection to /query-stream) while a
 *    producer sends rows through /inserts-stream paced at --rate rows/s for --seconds. Each row
 *    carries its send time; every client notes when it receives it. Reports delivered/expected,
 *    and delivery latency p50/p99/max over all (client, row) pairs. Clients and producer run on a
 *    worker thread (push-load-worker.ts), the server alone on the main thread.
 */
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/server-command.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const CLIENTS = arg('clients', 200);
const RATE = arg('rate', 10_000);
const SECONDS = arg('seconds', 10);
const ROWS = arg('rows', 20_000);

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function post(url: string, path: string, body: string, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let buf = '';
      let all = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (!onLine) return void (all += c);
        buf += c;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      res.on('end', () => resolve(all));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}


async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-server-bench-'));
  const { engine, url, stop } = await startServer({ dataDir: join(dir, 'data'), listen: 'http://127.0.0.1:0' }, { out: () => {}, err: (l) => process.stderr.write(`${l}\n`) });
  try {
    console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    await post(url, '/ksql', JSON.stringify({ ksql: "CREATE STREAM a (id INT KEY, v STRING, sent BIGINT) WITH (KAFKA_TOPIC='a', PARTITIONS=1, VALUE_FORMAT='JSON'); CREATE STREAM b (id INT KEY, v STRING, sent BIGINT) WITH (KAFKA_TOPIC='b', PARTITIONS=1, VALUE_FORMAT='JSON'); CREATE STREAM c (id INT KEY, v STRING, sent BIGINT) WITH (KAFKA_TOPIC='c', PARTITIONS=1, VALUE_FORMAT='JSON');" }));

    // 1. insert throughput
    let t0 = performance.now();
    for (let i = 0; i < ROWS; i++) await engine.insert('A', { ID: i, V: 'value', SENT: 0 });
    const engineRate = ROWS / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (let i = 0; i < ROWS; i += 1000) await engine.insert('A', Array.from({ length: Math.min(1000, ROWS - i) }, (_, j) => ({ ID: i + j, V: 'value', SENT: 0 })));
    const engineBatchRate = ROWS / ((performance.now() - t0) / 1000);
    const lines = [JSON.stringify({ target: 'B' })];
    for (let i = 0; i < ROWS; i++) lines.push(JSON.stringify({ ID: i, V: 'value', SENT: 0 }));
    t0 = performance.now();
    let acked = 0;
    await post(url, '/inserts-stream', lines.join('\n') + '\n', (l) => (JSON.parse(l).status === 'ok' ? acked++ : undefined));
    const serverRate = acked / ((performance.now() - t0) / 1000);
    console.log(
      `inserts: engine.insert ${engineRate.toFixed(0)} rows/s a row at a time, ${engineBatchRate.toFixed(0)} rows/s in batches of 1000; ` +
        `/inserts-stream ${serverRate.toFixed(0)} rows/s (${acked}/${ROWS} acked; rows arriving together are inserted as one batch); ` +
        `ratio to engine.insert: ${(serverRate / engineRate).toFixed(2)} (row at a time), ${(serverRate / engineBatchRate).toFixed(2)} (batched)`,
    );

    // 2. delivery to N push clients: clients and producer run on a worker thread, so the server's
    // event loop (this thread) does only the server's work
    const report = await new Promise<string>((resolve, reject) => {
      const worker = new Worker(new URL('./push-load-worker.js', import.meta.url), { workerData: { url, clients: CLIENTS, rate: RATE, seconds: SECONDS } });
      worker.once('message', (m: string) => resolve(m));
      worker.once('error', reject);
    });
    console.log(report);
    agent.destroy();
  } finally {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
