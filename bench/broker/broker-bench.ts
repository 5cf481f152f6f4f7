/**
 * bench/broker: records/s through the Kafka listener next to the embedded log's own floors, all
 * in one run on one log.
 *
 *   node dist/bench/broker/broker-bench.js [--records 100000] [--size 100] [--batch 500]
 *
 * 1. Log floors: Log.produce in batches of --batch records, then Log.fetch of everything.
 * 2. kafkajs through the listener: a producer sending --batch records per request (acks=all),
 *    then a consumer reading them all back.
 * 3. kcat through the listener, when installed: `kcat -P` of --records lines, `kcat -C -e`.
 * 4. The storage decision: the broker converts batches to records on produce and builds fresh
 *    batches on fetch. Measured alone, that conversion (parse + build, CPU only) per record is
 *    the most that keeping Kafka's v2 bytes in the log could save; printed as a share of the
 *    listener's per-record cost.
 * 5. Both designs end to end in-process on the same log: converted, and kept as v2 bytes
 *    (simulated: a CRC check and one log record per batch, fetch a byte copy).
 */
import { spawn, spawnSync } from 'node:child_process';
import { crc32c } from '@node-rs/crc32';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { openLocalLog } from '../../src/log/local/index.js';
import { KafkaBroker } from '../../src/broker/kafka-broker.js';
import { Writer } from '../../src/broker/protocol/writer.js';
import { buildBatch, parseBatches } from '../../src/broker/record-batch.js';
import type { FetchedRecord, ProduceRecord } from '../../src/log/log.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('records', 100_000);
const SIZE = arg('size', 100);
const BATCH = arg('batch', 500);

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rec/s`;
const rows: [string, string, string][] = [];
function report(what: string, n: number, ms: number): number {
  rows.push([what, rate(n, ms), `${ms.toFixed(0)} ms`]);
  process.stderr.write(`${what}: ${rate(n, ms)}\n`);
  return (ms * 1000) / n;
}

function run(cmd: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.on('close', (code) => resolve({ code, stdout }));
    c.stdin.end(input ?? '');
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-broker-bench-'));
  const log = await openLocalLog(dir);
  const value = Buffer.alloc(SIZE, 'v');
  try {
    // 1. floors
    await log.createTopic('floor', { partitions: 1 });
    let t = performance.now();
    for (let i = 0; i < N; i += BATCH) {
      const batch: ProduceRecord[] = [];
      for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push({ topic: 'floor', partition: 0, key: Buffer.from(`k${j}`), value });
      await log.produce(batch);
    }
    report('log append (Log.produce)', N, performance.now() - t);
    t = performance.now();
    let got = 0;
    for (let at = 0n; got < N; ) {
      const r = await log.fetch('floor', 0, at, { maxRecords: 5000 });
      got += r.records.length;
      at = r.nextOffset;
    }
    report('log fetch (Log.fetch)', N, performance.now() - t);

    const broker = new KafkaBroker({ log, listen: '127.0.0.1:0' });
    const address = await broker.listen();
    try {
      // 2. kafkajs
      process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
      const kafka = new kafkajs.Kafka({ brokers: [address], clientId: 'bench', logLevel: kafkajs.logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      t = performance.now();
      for (let i = 0; i < N; i += BATCH) {
        const messages = [];
        for (let j = i; j < Math.min(N, i + BATCH); j++) messages.push({ key: `k${j}`, value, partition: 0 });
        await producer.send({ topic: 'kjs', acks: -1, messages });
      }
      const producePerRec = report('kafkajs produce via listener', N, performance.now() - t);
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: 'bench', maxWaitTimeInMs: 100, maxBytes: 50 << 20 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'kjs', fromBeginning: true });
      t = performance.now();
      let seen = 0;
      await new Promise<void>((resolve) => void consumer.run({ eachBatch: async ({ batch }) => { seen += batch.messages.length; if (seen >= N) resolve(); } }));
      const consumePerRec = report('kafkajs consume via listener', N, performance.now() - t);
      await consumer.disconnect();

      // 3. kcat
      let kcatPerRec = 0;
      if (spawnSync('kcat', ['-V']).status === 0) {
        const lines = Array.from({ length: N }, (_, i) => `k${i}:${value.toString()}`).join('\n') + '\n';
        t = performance.now();
        const p = await run('kcat', ['-P', '-b', address, '-t', 'kcat', '-p', '0', '-K:', '-X', 'linger.ms=5'], lines);
        if (p.code === 0) kcatPerRec += report('kcat produce via listener', N, performance.now() - t);
        t = performance.now();
        const c = await run('kcat', ['-C', '-b', address, '-t', 'kcat', '-e', '-o', 'beginning', '-f', '%o\\n']);
        const count = c.stdout.split('\n').filter(Boolean).length;
        kcatPerRec += report(`kcat consume via listener (${count} records)`, count, performance.now() - t);
      } else rows.push(['kcat', 'not installed', '']);

      // 4. conversion alone
      const recs: FetchedRecord[] = Array.from({ length: BATCH }, (_, i) => ({ topic: 't', partition: 0, offset: BigInt(i), key: Buffer.from(`k${i}`), value, timestamp: Date.now(), headers: [] }));
      const rounds = Math.ceil(N / BATCH);
      t = performance.now();
      for (let i = 0; i < rounds; i++) {
        const w = new Writer(64 * 1024);
        buildBatch(recs, w);
        await parseBatches(w.toBuffer());
      }
      const convPerRec = report('conversion alone (parse + build a batch)', rounds * BATCH, performance.now() - t);
      // 5. both storage designs end to end in-process on the same log: converted (parse batches into
      // records on produce, build batches on fetch) and kept (check the CRC, store the batch bytes as
      // they came, serve them as a byte copy), the latter simulated with one log record per batch
      const wire: Buffer[] = [];
      for (let i = 0; i < rounds; i++) {
        const w = new Writer(64 * 1024);
        buildBatch(recs, w);
        wire.push(Buffer.from(w.toBuffer()));
      }
      await log.createTopic('converted', { partitions: 1 });
      await log.createTopic('kept', { partitions: 1 });
      t = performance.now();
      for (const b of wire) {
        const [parsed] = await parseBatches(b);
        await log.produce(parsed!.records.map((r) => ({ topic: 'converted', partition: 0, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers })));
      }
      for (let at = 0n, n = 0; n < rounds * BATCH; ) {
        const r = await log.fetch('converted', 0, at, { maxRecords: BATCH });
        const w = new Writer(64 * 1024);
        buildBatch(r.records, w);
        n += r.records.length;
        at = r.nextOffset;
      }
      report('stored converted: produce + fetch, in-process', rounds * BATCH, performance.now() - t);
      t = performance.now();
      for (const b of wire) {
        if ((crc32c(b.subarray(21)) >>> 0) !== b.readUInt32BE(17)) throw new Error('crc');
        await log.produce([{ topic: 'kept', partition: 0, key: null, value: b }]);
      }
      for (let at = 0n, n = 0; n < rounds; ) {
        const r = await log.fetch('kept', 0, at, { maxRecords: 100 });
        Buffer.concat(r.records.map((x) => x.value!));
        n += r.records.length;
        at = r.nextOffset;
      }
      report('stored as v2 bytes (simulated): produce + fetch, in-process', rounds * BATCH, performance.now() - t);
      rows.push(['conversion share of produce+consume via kafkajs', `${((convPerRec / (producePerRec + consumePerRec)) * 100).toFixed(1)} %`, '']);
      if (kcatPerRec) rows.push(['conversion share of produce+consume via kcat', `${((convPerRec / kcatPerRec) * 100).toFixed(1)} %`, '']);
    } finally {
      await broker.close();
    }
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`broker bench: ${N.toLocaleString('en-US')} records of ${SIZE} bytes, batches of ${BATCH}; ${cpus().length} cpus, load ${loadavg()[0]!.toFixed(2)}`);
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w)}  ${b.padStart(16)}  ${c}`);
}

await main();
