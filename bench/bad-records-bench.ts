/**
 * Throughput with a tenth of the input damaged against all-good input, in the same run: the
 * corpus of test/support/bad-record-corpus.ts (every kind of damage per format, plus one 5 MiB
 * string and 100,000-deep nesting), read by `CREATE STREAM ... AS SELECT ID, NAME, AMOUNT`.
 * Also checks what the test checks: output = the good records, one processing-log entry per bad one.
 *
 *   npm run bench:bad-records                                 # 1,000,000 records, JSON
 *   npm run bench:bad-records -- --records 200000 --formats JSON,DELIMITED,AVRO,PROTOBUF
 */
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/index.js';
import { writeCorpus, type CorpusFormat } from '../test/support/bad-record-corpus.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    formats: { type: 'string', default: 'JSON' },
  },
});
const records = Number(values.records);
const formats = values.formats!.split(',').map((f) => f.trim().toUpperCase()) as CorpusFormat[];

interface Result {
  readonly format: string;
  readonly input: string;
  readonly seconds: number;
  readonly outputs: number;
  readonly logged: number;
  readonly ok: boolean;
}

async function measure(format: CorpusFormat, bad: boolean): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bad-records-'));
  let logged = 0;
  const engine = await Engine.open({ dataDir: dir, properties: { 'auto.offset.reset': 'earliest' }, onProcessingLog: () => logged++ });
  try {
    const corpus = await writeCorpus(engine, format, bad ? { records } : { records, badEvery: Number.MAX_SAFE_INTEGER, huge: false });
    const start = process.hrtime.bigint();
    await engine.execute(`CREATE STREAM OUT WITH (KAFKA_TOPIC='out', VALUE_FORMAT='JSON') AS SELECT ID, NAME, AMOUNT FROM ${corpus.stream};`);
    await engine.runUntilIdle();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const desc = await engine.log.describeTopic('out');
    const outputs = desc.partitions.reduce((n, p) => n + Number(p.highWatermark - p.logStartOffset), 0);
    const ok = outputs === corpus.goodIds.size + corpus.tombstones && logged === corpus.bad.size && engine.failedQueries().length === 0;
    return { format, input: bad ? `${corpus.bad.size} bad (${((100 * corpus.bad.size) / records).toFixed(1)}%)` : 'all good', seconds, outputs, logged, ok };
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const format of formats) {
  for (const bad of [false, true]) {
    const r = await measure(format, bad);
    results.push(r);
    console.log(
      `${r.format.padEnd(9)} ${r.input.padEnd(18)} ${records.toLocaleString('en')} records in ${r.seconds.toFixed(2)} s = ` +
        `${Math.round(records / r.seconds).toLocaleString('en')} records/s; ${r.outputs} out, ${r.logged} logged; ${r.ok ? 'checks pass' : 'CHECKS FAIL'}`,
    );
  }
}
if (results.some((r) => !r.ok)) process.exitCode = 1;
