/**
 * A topic of records a tenth of which a producer got wrong, in every way it can, for one format;
 * used by the engine-level bad-record test (test/engine/bad-records.test.ts) and its benchmark
 * (bench/bad-records-bench.ts). Good record i is (ID i, NAME "n<i>", AMOUNT i/2); bad ones carry
 * the marker SECRET so a test can see whether record content leaks into messages.
 */
import type { Engine } from '../../src/index.js';
import { createSerde } from '../../src/index.js';
import { LogError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import type { ProduceRecord } from '../../src/log/log.js';

export type CorpusFormat = 'JSON' | 'DELIMITED' | 'AVRO' | 'PROTOBUF';

export const CORPUS_COLUMNS = [
  { name: 'ID', type: T.INTEGER },
  { name: 'NAME', type: T.STRING },
  { name: 'AMOUNT', type: T.DOUBLE },
];

/** A kind of damage: its bytes (from a good record's) and the reason its processing-log entry must give. */
export interface Damage {
  readonly kind: string;
  readonly bytes: (good: Buffer, i: number) => Buffer | null;
  readonly reason: RegExp;
  /** huge ones are written once per corpus, not cycled */
  readonly huge?: boolean;
}

const DEEP = 100_000;
const text = (s: string) => Buffer.from(s, 'latin1');
const GARBAGE = Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]);
const setByte = (b: Buffer, at: number, v: number) => {
  const c = Buffer.from(b);
  c[at] = v;
  return c;
};
const setId = (b: Buffer, id: number) => {
  const c = Buffer.from(b);
  c.writeInt32BE(id, 1);
  return c;
};
let fiveMiB: string | undefined;
const bigText = () => (fiveMiB ??= 'x'.repeat(5 << 20));

/** Damage a producer of any format can do (an empty value is damage; a null value is a tombstone, counted as good). */
const COMMON: readonly Damage[] = [
  { kind: 'binary garbage', bytes: () => GARBAGE, reason: /./ },
];

export const DAMAGE: Record<CorpusFormat, readonly Damage[]> = {
  JSON: [
    ...COMMON.map((d) => ({ ...d, reason: /Invalid JSON: Unexpected character U\+0000 at position 0/ })),
    { kind: 'truncated', bytes: (g) => g.subarray(0, g.length - 4), reason: /Invalid JSON: (Unexpected end of JSON input|Expected ',' or '}'|Unterminated fractional number) at position \d+/ },
    { kind: 'invalid token', bytes: () => text('{"ID": SECRET}'), reason: /Invalid JSON: Unexpected character 'S' at position 7/ },
    { kind: 'wrong type', bytes: () => text('{"ID": "SECRET", "NAME": "a"}'), reason: /Can't coerce string to type\. targetType: INTEGER, path: \$\.ID/ },
    { kind: 'object for a number', bytes: () => text('{"ID": {"SECRET": 1}}'), reason: /sourceType: ObjectNode, requiredType: INTEGER, path: \$\.ID/ },
    { kind: 'not an object', bytes: () => text('["SECRET"]'), reason: /sourceType: ArrayNode, requiredType: STRUCT/ },
    { kind: 'empty', bytes: () => Buffer.alloc(0), reason: /Can't convert type\. sourceType: MissingNode/ },
    { kind: 'unterminated string', bytes: () => text('{"NAME": "SECRET'), reason: /Invalid JSON: Unterminated string at position \d+/ },
    { kind: '5 MiB string for a number', bytes: () => text(`{"ID": "SECRET${bigText()}"}`), reason: /Can't coerce string to type\. targetType: INTEGER/, huge: true },
    { kind: `nesting ${DEEP} deep`, bytes: () => text(`{"NAME": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`), reason: /Nesting depth exceeds the maximum allowed \(1000\), path: \$\.NAME/, huge: true },
    { kind: `nesting ${DEEP} deep with a long number`, bytes: () => text(`{"NAME": ${'['.repeat(DEEP)}12345678901234567890${']'.repeat(DEEP)}}`), reason: /Nesting depth exceeds the maximum allowed/, huge: true },
  ],
  DELIMITED: [
    ...COMMON.map((d) => ({ ...d, reason: /Column count mismatch|Error parsing column/ })),
    { kind: 'too few columns', bytes: () => text('1,SECRET'), reason: /Column count mismatch on deserialization\. expected: 3, got: 2/ },
    { kind: 'too many columns', bytes: () => text('1,SECRET,2.0,4'), reason: /Column count mismatch on deserialization\. expected: 3, got: 4/ },
    { kind: 'unterminated quote', bytes: () => text('1,"SECRET,2.0'), reason: /EOF reached before encapsulated token finished/ },
    { kind: 'wrong type', bytes: () => text('x,SECRET,2.0'), reason: /Error parsing column `ID` INTEGER: For input string: "x"/ },
    { kind: 'empty', bytes: () => Buffer.alloc(0), reason: /Column count mismatch on deserialization\. expected: 3, got: 1/ },
    { kind: '5 MiB field for a number', bytes: () => text(`SECRET${bigText()},a,1`), reason: /For input string of \d+ characters/, huge: true },
  ],
  AVRO: [
    ...COMMON.map((d) => ({ ...d, reason: /Error retrieving Avro value schema for id -?\d+/ })),
    { kind: 'truncated', bytes: (g) => g.subarray(0, g.length - 3), reason: /Error deserializing Avro message for id \d+: Unexpected end of input/ },
    { kind: 'header only', bytes: (g) => g.subarray(0, 3), reason: /Unknown magic byte!/ },
    { kind: 'bad magic byte', bytes: (g) => setByte(g, 0, 1), reason: /Unknown magic byte!/ },
    { kind: 'unknown schema id', bytes: (g) => setId(g, 999), reason: /Error retrieving Avro value schema for id 999/ },
    { kind: 'garbage after the header', bytes: (g) => Buffer.concat([g.subarray(0, 5), GARBAGE.subarray(4)]), reason: /Error deserializing Avro message for id \d+/ },
    { kind: 'empty', bytes: () => Buffer.alloc(0), reason: /Unknown magic byte!/ },
  ],
  PROTOBUF: [
    ...COMMON.map((d) => ({ ...d, reason: /malformed varint|Error retrieving Protobuf schema for id -?\d+/ })),
    { kind: 'truncated', bytes: (g) => g.subarray(0, g.length - 3), reason: /input ended unexpectedly in the middle of a field/ },
    { kind: 'truncated varint', bytes: (g) => Buffer.concat([g.subarray(0, 6), Buffer.from([0x08, 0xff, 0xff])]), reason: /Error deserializing Protobuf message for id \d+/ },
    { kind: 'wrong wire type', bytes: (g) => setByte(g, 6, (g[6]! & ~7) | 7), reason: /invalid tag \(wire type 7\)/ },
    { kind: 'bad magic byte', bytes: (g) => setByte(g, 0, 1), reason: /Unknown magic byte!/ },
    { kind: 'unknown schema id', bytes: (g) => setId(g, 999), reason: /Error retrieving Protobuf schema for id 999/ },
    { kind: 'empty', bytes: () => Buffer.alloc(0), reason: /Unknown magic byte!/ },
  ],
};

export interface Corpus {
  readonly stream: string;
  readonly topic: string;
  /** IDs of the good records (each must come out exactly once) */
  readonly goodIds: Set<number>;
  /** tombstones written (null values: good, but no row for a stream) */
  readonly tombstones: number;
  /** "partition@offset" -> the damage of the bad record there */
  readonly bad: Map<string, Damage>;
  /** huge records the log refused at produce time (a max.message.bytes limit): neither output nor logged */
  readonly rejected: string[];
}

export interface CorpusOptions {
  readonly records: number;
  /** one in this many records is bad (10: a tenth) */
  readonly badEvery?: number;
  readonly partitions?: number;
  /** write the huge kinds (5 MiB, 100,000 deep) once each */
  readonly huge?: boolean;
}

/** Creates the input stream and writes the corpus to its topic. */
export async function writeCorpus(engine: Engine, format: CorpusFormat, options: CorpusOptions): Promise<Corpus> {
  const { records, badEvery = 10, partitions = 2, huge = true } = options;
  const stream = `IN_${format}`;
  const topic = `in_${format.toLowerCase()}`;
  await engine.execute(`CREATE STREAM ${stream} (ID INT, NAME STRING, AMOUNT DOUBLE) WITH (KAFKA_TOPIC='${topic}', PARTITIONS=${partitions}, VALUE_FORMAT='${format}');`);
  const serde = createSerde(format, 'VALUE', CORPUS_COLUMNS, { topic, schemaRegistry: engine.schemaRegistry });
  await engine.flushSchemaRegistrations();
  const damage = DAMAGE[format];
  const small = damage.filter((d) => !d.huge);
  const hugeKinds = huge ? damage.filter((d) => d.huge) : [];
  const goodIds = new Set<number>();
  const bad = new Map<string, Damage>();
  const rejected: string[] = [];
  const nextOffset = new Array<number>(partitions).fill(0);
  let tombstones = 0;
  let badCount = 0;
  let batch: { record: ProduceRecord; damage?: Damage; id?: number }[] = [];
  const flush = async () => {
    try {
      await engine.log.produce(batch.map((b) => b.record));
    } catch (e) {
      // a single huge record refused whole: the log's size limit, not this corpus's concern
      if (!(e instanceof LogError) || batch.length !== 1 || !batch[0]!.damage?.huge) throw e;
      rejected.push(batch[0]!.damage.kind);
      batch = [];
      return;
    }
    for (const b of batch) {
      const p = b.record.partition!;
      const where = `${p}@${nextOffset[p]!++}`;
      if (b.damage) bad.set(where, b.damage);
      else if (b.id !== undefined) goodIds.add(b.id);
    }
    batch = [];
  };
  for (let i = 0; i < records; i++) {
    const partition = i % partitions;
    const good = serde.serialize([i, `n${i}`, i / 2])!;
    let value: Buffer | null = good;
    let d: Damage | undefined;
    if (i % badEvery === badEvery - 1) {
      d = badCount < hugeKinds.length ? hugeKinds[badCount] : small[badCount % small.length];
      badCount++;
      value = d!.bytes(good, i);
    } else if (i % 1000 === 500) {
      value = null; // a tombstone: no row in a stream, no error
      tombstones++;
    }
    const record: ProduceRecord = { topic, partition, key: null, value, timestamp: 1_700_000_000_000 + i };
    if (d?.huge) {
      await flush();
      batch.push({ record, damage: d });
      await flush();
      continue;
    }
    batch.push({ record, ...(d ? { damage: d } : {}), ...(value === null ? {} : { id: i }) });
    if (batch.length >= 5000) await flush();
  }
  await flush();
  return { stream, topic, goodIds, tombstones, bad, rejected };
}
