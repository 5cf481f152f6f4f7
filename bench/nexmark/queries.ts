/**
 * The Nexmark queries in Sluice SQL (ksqlDB dialect), each with the hand-written JS that does the
 * same work for its floor (floor.ts runs it: fetch, JSON.parse, this logic, JSON.stringify,
 * commit to an output topic of the same log).
 *
 * q0, q1 and q2 are stateless and run today. q3, q5, q7 and q8 need joins, GROUP BY and windows,
 * which the engine does not have yet: their SQL is what the engine will be asked to run once it
 * does (the benchmark tries it and reports the planner's error until then), and they have no
 * floor yet. Where ksqlDB cannot say what Flink's Nexmark SQL says, the note says how it differs.
 */
import type { EventType } from './generator.js';

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
  /** the floor's per-record logic: the output JSON object, or undefined when filtered out */
  readonly floor?: (bid: BidJson) => object | undefined;
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
    floor: (b) => ({
      AUCTION: b.auction,
      BIDDER: b.bidder,
      PRICE: b.price,
      CHANNEL: b.channel,
      URL: b.url,
      DATETIME: b.dateTime,
      EXTRA: b.extra,
    }),
  },
  {
    name: 'q1',
    title: 'projection, dollars to euros',
    inputs: ['bid'],
    sql: `CREATE STREAM q1 WITH (KAFKA_TOPIC='q1') AS
            SELECT auction, bidder, price * 908 / 1000 AS price, dateTime, extra FROM bid EMIT CHANGES;`,
    outputTopic: 'q1',
    floor: (b) => ({ AUCTION: b.auction, BIDDER: b.bidder, PRICE: toEuroCents(b.price), DATETIME: b.dateTime, EXTRA: b.extra }),
    note: "Flink's 0.908 * price as exact BIGINT arithmetic (cents, truncated), as Beam's price * 89 / 100",
  },
  {
    name: 'q2',
    title: 'filter',
    inputs: ['bid'],
    sql: `CREATE STREAM q2 WITH (KAFKA_TOPIC='q2') AS SELECT auction, price FROM bid WHERE auction % 123 = 0 EMIT CHANGES;`,
    outputTopic: 'q2',
    floor: (b) => (b.auction % 123 === 0 ? { AUCTION: b.auction, PRICE: b.price } : undefined),
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
            WHERE B.price = M.maxprice EMIT CHANGES;`,
    outputTopic: 'q7',
    note: 'ksqlDB has no global window and cannot join a windowed table: 10 s tumbling windows as a key, max so far',
  },
  {
    name: 'q8',
    title: 'windowed join: new people, new auctions',
    inputs: ['person', 'auction'],
    sql: `CREATE STREAM q8 WITH (KAFKA_TOPIC='q8') AS
            SELECT P.id, P.name, A.reserve
            FROM person_stream P JOIN auction A WITHIN 10 SECONDS ON P.id = A.seller EMIT CHANGES;`,
    outputTopic: 'q8',
    note: "a 10 s stream-stream join window instead of Flink's equal tumbling windows",
  },
];

export function queryByName(name: string): NexmarkQuery {
  const q = QUERIES.find((x) => x.name === name);
  if (!q) throw new Error(`unknown query ${name}`);
  return q;
}
