/**
 * The Nexmark queries in Sluice SQL (ksqlDB dialect), each with the hand-written JS that does the
 * same work for its floor (floor.ts runs it: fetch, JSON.parse, this logic, JSON.stringify,
 * commit to an output topic of the same log).
 *
 * The benchmark asks the engine to plan each query first and reports the planner's error for
 * what it cannot run yet. Where ksqlDB cannot say what Flink's Nexmark SQL says, the note says
 * how the query differs. The stateful floors keep their state in Maps and, like the engine's
 * stores, write every key changed in a batch to LevelDB and to a changelog topic in the batch's
 * transaction (as JSON: the engine uses its own binary value codec).
 */
import type { ExtraWrite } from '../../src/log/local/index.js';
import type { ProduceRecord } from '../../src/log/log.js';
import { q1BestFloor, q2BestFloor } from './best-floor.js';
import { statelessFloor, type FloorProgram } from './floor.js';
import { bigintKey, type Auction, type EventType, type Person } from './generator.js';

/** A parsed bid as the generator writes it. */
export interface BidJson {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export type QueryName = 'q0' | 'q1' | 'q2' | 'q3' | 'q5' | 'q7' | 'q8';

export interface NexmarkQuery {
  readonly name: QueryName;
  readonly title: string;
  /** the topics it consumes: its events are the records of these topics */
  readonly inputs: readonly EventType[];
  /** the persistent query (after SOURCES_DDL); the last statement writes `outputTopic` */
  readonly sql: string;
  readonly outputTopic: string;
  /** the floor: the same work written by hand (absent: not written yet) */
  readonly floor?: () => FloorProgram;
  /** the second floor: the best hand-written program, reading only the fields it needs (best-floor.ts) */
  readonly bestFloor?: () => FloorProgram;
  /** the floor writes exactly the engine's output (keys, values, timestamps), checked by digest */
  readonly exactFloor?: boolean;
  /** how this differs from the Flink / Beam Nexmark query */
  readonly note?: string;
}

/** The three sources; every query runs against all of them declared. */
export const SOURCES_DDL = `
CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP, extra STRING)
  WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON', TIMESTAMP='dateTime');
CREATE STREAM auction (id BIGINT KEY, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT,
                       dateTime TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra STRING)
  WITH (KAFKA_TOPIC='auction', VALUE_FORMAT='JSON', TIMESTAMP='dateTime');
CREATE STREAM person_stream (id BIGINT KEY, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING,
                             dateTime TIMESTAMP, extra STRING)
  WITH (KAFKA_TOPIC='person', VALUE_FORMAT='JSON', TIMESTAMP='dateTime');
CREATE TABLE person (id BIGINT PRIMARY KEY, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING,
                     dateTime TIMESTAMP, extra STRING)
  WITH (KAFKA_TOPIC='person', VALUE_FORMAT='JSON', TIMESTAMP='dateTime');
`;

/** BIGINT division truncates toward zero; bench prices are positive and far below 2^53 / 908. */
function toEuroCents(price: number): number {
  return Math.trunc((price * 908) / 1000);
}

export const QUERIES: readonly NexmarkQuery[] = [
  {
    name: 'q0',
    title: 'pass-through',
    inputs: ['bid'],
    sql: `CREATE STREAM q0 WITH (KAFKA_TOPIC='q0') AS SELECT * FROM bid EMIT CHANGES;`,
    outputTopic: 'q0',
    floor: statelessFloor<BidJson>((b) => ({
      AUCTION: b.auction,
      BIDDER: b.bidder,
      PRICE: b.price,
      CHANNEL: b.channel,
      URL: b.url,
      DATETIME: b.dateTime,
      EXTRA: b.extra,
    })),
    exactFloor: true,
  },
  {
    name: 'q1',
    title: 'projection, dollars to euros',
    inputs: ['bid'],
    sql: `CREATE STREAM q1 WITH (KAFKA_TOPIC='q1') AS
            SELECT auction, bidder, price * 908 / 1000 AS price, dateTime, extra FROM bid EMIT CHANGES;`,
    outputTopic: 'q1',
    floor: statelessFloor<BidJson>((b) => ({ AUCTION: b.auction, BIDDER: b.bidder, PRICE: toEuroCents(b.price), DATETIME: b.dateTime, EXTRA: b.extra })),
    bestFloor: q1BestFloor,
    exactFloor: true,
    note: "Flink's 0.908 * price as exact BIGINT arithmetic (cents, truncated), as Beam's price * 89 / 100",
  },
  {
    name: 'q2',
    title: 'filter',
    inputs: ['bid'],
    sql: `CREATE STREAM q2 WITH (KAFKA_TOPIC='q2') AS SELECT auction, price FROM bid WHERE auction % 123 = 0 EMIT CHANGES;`,
    outputTopic: 'q2',
    floor: statelessFloor<BidJson>((b) => (b.auction % 123 === 0 ? { AUCTION: b.auction, PRICE: b.price } : undefined)),
    bestFloor: q2BestFloor,
    exactFloor: true,
    note: "Flink's MOD(auction, 123) = 0",
  },
  {
    name: 'q3',
    title: 'auction-person join',
    inputs: ['auction', 'person'],
    sql: `CREATE STREAM q3 WITH (KAFKA_TOPIC='q3') AS
            SELECT A.seller, P.name, P.city, P.state, A.id
            FROM auction A JOIN person P ON A.seller = P.id
            WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA') EMIT CHANGES;`,
    outputTopic: 'q3',
    floor: () => q3Floor(),
    exactFloor: true,
    note: 'a stream-table join (persons as a table keyed by id); Flink joins two unbounded streams',
  },
  {
    name: 'q5',
    title: 'hopping-window count per auction',
    inputs: ['bid'],
    sql: `CREATE TABLE q5 WITH (KAFKA_TOPIC='q5') AS
            SELECT auction, COUNT(*) AS num FROM bid
            WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY auction EMIT CHANGES;`,
    outputTopic: 'q5',
    floor: () => q5Floor(),
    exactFloor: true,
    note: "the per-auction counts only; Flink's q5 also keeps the hottest auction per window",
  },
  {
    name: 'q7',
    title: 'tumbling max joined back',
    inputs: ['bid'],
    sql: `CREATE TABLE q7_max WITH (KAFKA_TOPIC='q7_max') AS
            SELECT UNIX_TIMESTAMP(dateTime) / 10000 AS wid, MAX(price) AS maxprice FROM bid
            GROUP BY UNIX_TIMESTAMP(dateTime) / 10000 EMIT CHANGES;
          CREATE STREAM q7 WITH (KAFKA_TOPIC='q7') AS
            SELECT M.wid, B.auction, B.price, B.bidder, B.dateTime, B.extra
            FROM bid B JOIN q7_max M ON UNIX_TIMESTAMP(B.dateTime) / 10000 = M.wid
            WHERE B.price >= M.maxprice EMIT CHANGES;`,
    outputTopic: 'q7',
    floor: () => q7Floor(),
    exactFloor: true,
    note:
      'ksqlDB has no global window and cannot join a windowed table: 10 s tumbling windows as a group key, ' +
      "and the bids at least as high as the window's max so far (the max table may lag the bids)",
  },
  {
    name: 'q8',
    title: 'windowed join: new people, new auctions',
    inputs: ['person', 'auction'],
    sql: `CREATE STREAM q8 WITH (KAFKA_TOPIC='q8') AS
            SELECT P.id, P.name, A.reserve
            FROM person_stream P JOIN auction A WITHIN 10 SECONDS ON P.id = A.seller EMIT CHANGES;`,
    outputTopic: 'q8',
    floor: () => q8Floor(),
    exactFloor: true,
    note: "a 10 s stream-stream join window instead of Flink's equal tumbling windows",
  },
];

export function queryByName(name: string): NexmarkQuery {
  const q = QUERIES.find((x) => x.name === name);
  if (!q) throw new Error(`unknown query ${name}`);
  return q;
}

const STATES = new Set(['OR', 'ID', 'CA']);

/** Changed keys of a floor's state, written like the engine's stores: LevelDB and a changelog. */
class FloorState<K, V> {
  readonly map = new Map<K, V>();
  private readonly dirty = new Set<K>();
  private readonly prefix: Buffer;
  private readonly topic: string;
  constructor(
    query: QueryName,
    store: string,
    private readonly keyBytes: (k: K) => Buffer,
  ) {
    this.prefix = Buffer.from(`floor\u0000${query}\u0000${store}\u0000`);
    this.topic = changelogTopic(query);
  }
  changed(k: K): void {
    this.dirty.add(k);
  }
  flush(extraWrites: ExtraWrite[], produce: ProduceRecord[]): void {
    for (const k of this.dirty) {
      const key = this.keyBytes(k);
      const value = Buffer.from(JSON.stringify(this.map.get(k)), 'utf8');
      extraWrites.push({ key: Buffer.concat([this.prefix, key]), value });
      produce.push({ topic: this.topic, partition: 0, key, value });
    }
    this.dirty.clear();
  }
}

/** The changelog topic a floor's state writes to (the benchmark creates it). */
export function changelogTopic(query: QueryName): string {
  return `floor_${query}_changelog`;
}

/** q3: persons materialized by id; each auction of category 10 looks up its seller. */
function q3Floor(): FloorProgram {
  const people = new FloorState<number, Person>('q3', 'person', bigintKey);
  return {
    onRecord(topic, r, out) {
      if (r.value === null) return;
      if (topic === 'person') {
        const p = JSON.parse(r.value.toString('utf8')) as Person;
        people.map.set(p.id, p);
        people.changed(p.id);
        return;
      }
      const a = JSON.parse(r.value.toString('utf8')) as Auction;
      if (a.category !== 10) return;
      const p = people.map.get(a.seller);
      if (p === undefined || !STATES.has(p.state)) return;
      out.push({
        key: bigintKey(a.seller),
        value: Buffer.from(JSON.stringify({ NAME: p.name, CITY: p.city, STATE: p.state, A_ID: a.id }), 'utf8'),
        timestamp: r.timestamp,
      });
    },
    flush: (extraWrites, produce) => people.flush(extraWrites, produce),
  };
}

/** q5: per auction, a count per 10 s window every 2 s; every bid updates its five windows. */
function q5Floor(): FloorProgram {
  const SIZE = 10_000;
  const ADVANCE = 2_000;
  /** auction -> its windows as [start, count, newest timestamp] */
  const windows = new FloorState<number, [number, number, number][]>('q5', 'windows', bigintKey);
  return {
    onRecord(_topic, r, out) {
      if (r.value === null) return;
      const b = JSON.parse(r.value.toString('utf8')) as BidJson;
      const ts = r.timestamp;
      let list = windows.map.get(b.auction);
      if (list === undefined) windows.map.set(b.auction, (list = []));
      const last = ts - (ts % ADVANCE);
      for (let start = last - SIZE + ADVANCE; start <= last; start += ADVANCE) {
        if (start < 0) continue;
        let w = list.find((x) => x[0] === start);
        if (w === undefined) list.push((w = [start, 0, ts]));
        w[1]++;
        if (ts > w[2]) w[2] = ts;
        const key = Buffer.allocUnsafe(16);
        key.writeBigInt64BE(BigInt(b.auction), 0);
        key.writeBigInt64BE(BigInt(start), 8);
        out.push({ key, value: Buffer.from(JSON.stringify({ NUM: w[1] }), 'utf8'), timestamp: w[2] });
      }
      windows.changed(b.auction);
    },
    flush: (extraWrites, produce) => windows.flush(extraWrites, produce),
  };
}

/**
 * q7: the max price per 10 s window (written to its own topic, as the engine's q7_max table is),
 * and the bids at least as high as their window's max over the bids of earlier milliseconds: the
 * engine's join reads the bids and the max table in timestamp order, a bid before the max updates
 * of its own millisecond. The bench's bids come in timestamp order, so those updates become
 * visible when the next millisecond begins.
 */
function q7Floor(): FloorProgram {
  const WINDOW = 10_000;
  /** window id -> the max price so far */
  const maxes = new FloorState<number, number>('q7', 'max', bigintKey);
  /** window id -> the max as the join sees it: over the bids of earlier milliseconds */
  const visible = new Map<number, number>();
  /** windows whose max changed in the current millisecond */
  const changedNow = new Set<number>();
  let now = Number.NEGATIVE_INFINITY;
  return {
    onRecord(_topic, r, out) {
      if (r.value === null) return;
      const b = JSON.parse(r.value.toString('utf8')) as BidJson;
      if (r.timestamp > now) {
        for (const w of changedNow) visible.set(w, maxes.map.get(w)!);
        changedNow.clear();
        now = r.timestamp;
      }
      const wid = Math.trunc(b.dateTime / WINDOW);
      const key = bigintKey(wid);
      const seen = visible.get(wid);
      if (seen !== undefined && b.price >= seen)
        out.push({
          key,
          value: Buffer.from(JSON.stringify({ AUCTION: b.auction, PRICE: b.price, BIDDER: b.bidder, DATETIME: b.dateTime, EXTRA: b.extra }), 'utf8'),
          timestamp: r.timestamp,
        });
      const max = Math.max(maxes.map.get(wid) ?? Number.NEGATIVE_INFINITY, b.price);
      maxes.map.set(wid, max);
      maxes.changed(wid);
      changedNow.add(wid);
      out.push({ topic: Q7_MAX_FLOOR_TOPIC, key, value: Buffer.from(JSON.stringify({ MAXPRICE: max }), 'utf8'), timestamp: r.timestamp });
    },
    flush: (extraWrites, produce) => maxes.flush(extraWrites, produce),
  };
}

/** where q7's floor writes its max table (the engine's q7_max) */
export const Q7_MAX_FLOOR_TOPIC = 'floor_q7_max';

/**
 * q8: every person and auction is kept per id / seller (the 24 h default grace keeps them all for
 * a benchmark's span); each new record joins the other side's records of its key within 10 s.
 */
function q8Floor(): FloorProgram {
  const WITHIN = 10_000;
  /** id -> [timestamp, name] of each person record */
  const people = new FloorState<number, [number, string][]>('q8', 'person', bigintKey);
  /** seller -> [timestamp, reserve] of each auction record */
  const auctions = new FloorState<number, [number, number][]>('q8', 'auction', bigintKey);
  const joined = (id: number, name: string, reserve: number, ts: number) => ({
    key: bigintKey(id),
    value: Buffer.from(JSON.stringify({ NAME: name, RESERVE: reserve }), 'utf8'),
    timestamp: ts,
  });
  return {
    onRecord(topic, r, out) {
      if (r.value === null) return;
      const t = r.timestamp;
      if (topic === 'person') {
        const p = JSON.parse(r.value.toString('utf8')) as Person;
        let mine = people.map.get(p.id);
        if (mine === undefined) people.map.set(p.id, (mine = []));
        mine.push([t, p.name]);
        people.changed(p.id);
        for (const [ts, reserve] of auctions.map.get(p.id) ?? []) if (ts >= t - WITHIN && ts <= t + WITHIN) out.push(joined(p.id, p.name, reserve, Math.max(t, ts)));
        return;
      }
      const a = JSON.parse(r.value.toString('utf8')) as Auction;
      let mine = auctions.map.get(a.seller);
      if (mine === undefined) auctions.map.set(a.seller, (mine = []));
      mine.push([t, a.reserve]);
      auctions.changed(a.seller);
      for (const [ts, name] of people.map.get(a.seller) ?? []) if (ts >= t - WITHIN && ts <= t + WITHIN) out.push(joined(a.seller, name, a.reserve, Math.max(t, ts)));
    },
    flush(extraWrites, produce) {
      people.flush(extraWrites, produce);
      auctions.flush(extraWrites, produce);
    },
  };
}
