/**
 * A deterministic Nexmark event generator, after the Beam / Flink Nexmark generators
 * (NexmarkConfiguration defaults, GeneratorConfig, PersonGenerator, AuctionGenerator,
 * BidGenerator): Person / Auction / Bid in the 1:3:46 mix, ids that follow the event number,
 * hot auctions (ratio 2), hot sellers and hot bidders (ratio 4), the standard average sizes
 * (person 200, auction 500, bid 100 bytes, padded through `extra`) and event time derived from
 * the event number and a configured rate (first event at `baseTime`).
 *
 * Event n is a pure function of (config, n): each event draws from its own PRNG seeded with n,
 * like Beam's `new Random(eventId)`. The PRNG is not java.util.Random, so the values differ from
 * Beam's; the distributions and id arithmetic are the same.
 *
 * Records are JSON values with the Nexmark field names (camelCase, as Flink's JSON events).
 * Person and auction records are keyed by their id (8-byte big-endian BIGINT, the KAFKA key
 * format) so that they can back tables; bids have no key. Every record's timestamp is its event
 * time, which is also its `dateTime` field.
 */
import type { Log, ProduceRecord } from '../../src/log/log.js';

export interface NexmarkConfig {
  /** events per second of event time (Nexmark's firstEventRate; default 10 000) */
  readonly eventsPerSecond: number;
  /** event time of event 0, ms since the epoch */
  readonly baseTime: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly numActivePeople: number;
  readonly numInFlightAuctions: number;
}

export const DEFAULT_CONFIG: NexmarkConfig = {
  eventsPerSecond: 10_000,
  baseTime: Date.UTC(2025, 0, 1),
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
};

export const TOPICS = { person: 'person', auction: 'auction', bid: 'bid' } as const;
export type EventType = keyof typeof TOPICS;

const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;

/** mulberry32 over a splitmix-scrambled seed: small, fast, deterministic. */
class Rng {
  private s: number;
  constructor(seed: number) {
    let z = (seed + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.s = (z ^ (z >>> 16)) | 0;
  }
  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** uniform integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Beam's nextString: 3..maxLength-1 lower-case letters with the odd space, trimmed. */
function nextString(rng: Rng, maxLength: number, special = ' '): string {
  const len = 3 + rng.int(maxLength - 3);
  let s = '';
  for (let i = 0; i < len; i++) s += rng.int(13) === 0 ? special : String.fromCharCode(97 + rng.int(26));
  return s.trim();
}

function nextExactString(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(97 + rng.int(26));
  return s;
}

/** Beam's nextExtra: pads a record to about `desiredAverageSize` (±20 %). */
function nextExtra(rng: Rng, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const desired = desiredAverageSize - currentSize;
  const delta = Math.round(desired * 0.2);
  const minSize = desired - delta;
  return nextExactString(rng, minSize + (delta === 0 ? 0 : rng.int(2 * delta)));
}

/** Beam's PriceGenerator: log-uniform cents, 1 .. 100 000 000. */
function nextPrice(rng: Rng): number {
  return Math.round(Math.pow(10, rng.next() * 6) * 100);
}

function baseUrl(rng: Rng): string {
  return `https://www.nexmark.com/${nextString(rng, 5, '_')}/${nextString(rng, 5, '_')}/${nextString(rng, 5, '_')}/item.htm?query=1`;
}

/** Flink's channel cache: "channel-N" with a fixed URL per channel (deterministic per N). */
const channelCache = new Map<number, [string, string]>();
function channelAndUrl(n: number): [string, string] {
  let c = channelCache.get(n);
  if (c === undefined) {
    const rng = new Rng(0x5eed0000 + n);
    let url = baseUrl(rng);
    if (rng.int(10) > 0) url += `&channel_id=${Math.abs(reverseInt32(n))}`;
    c = [`channel-${n}`, url];
    channelCache.set(n, c);
  }
  return c;
}
const HOT_URLS = HOT_CHANNELS.map((_, i) => baseUrl(new Rng(0x407000 + i)));

function reverseInt32(i: number): number {
  let r = 0;
  for (let b = 0; b < 32; b++) {
    r = (r << 1) | (i & 1);
    i >>>= 1;
  }
  return r | 0;
}

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export type NexmarkEvent = { type: 'person'; event: Person } | { type: 'auction'; event: Auction } | { type: 'bid'; event: Bid };

export class NexmarkGenerator {
  private readonly total: number;
  private readonly interEventDelayMs: number;

  constructor(readonly config: NexmarkConfig = DEFAULT_CONFIG) {
    this.total = config.personProportion + config.auctionProportion + config.bidProportion;
    this.interEventDelayMs = 1000 / config.eventsPerSecond;
  }

  /** Event time of event n (ms, integral). */
  timestampOf(n: number): number {
    return this.config.baseTime + Math.floor(n * this.interEventDelayMs);
  }

  typeOf(n: number): EventType {
    const rem = n % this.total;
    if (rem < this.config.personProportion) return 'person';
    if (rem < this.config.personProportion + this.config.auctionProportion) return 'auction';
    return 'bid';
  }

  private lastBase0PersonId(n: number): number {
    const epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset >= this.config.personProportion) offset = this.config.personProportion - 1;
    return epoch * this.config.personProportion + offset;
  }

  private lastBase0AuctionId(n: number): number {
    const { personProportion, auctionProportion } = this.config;
    let epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset < personProportion) {
      epoch--;
      offset = auctionProportion - 1;
    } else if (offset >= personProportion + auctionProportion) {
      offset = auctionProportion - 1;
    } else {
      offset -= personProportion;
    }
    return epoch * auctionProportion + offset;
  }

  private nextBase0PersonId(n: number, rng: Rng): number {
    const numPeople = this.lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + rng.int(active + PERSON_ID_LEAD);
  }

  private nextBase0AuctionId(n: number, rng: Rng): number {
    const max = this.lastBase0AuctionId(n);
    const min = Math.max(max - this.config.numInFlightAuctions, 0);
    return min + rng.int(max - min + 1 + AUCTION_ID_LEAD);
  }

  event(n: number): NexmarkEvent {
    const rng = new Rng(n);
    const ts = this.timestampOf(n);
    switch (this.typeOf(n)) {
      case 'person':
        return { type: 'person', event: this.person(n, rng, ts) };
      case 'auction':
        return { type: 'auction', event: this.auction(n, rng, ts) };
      default:
        return { type: 'bid', event: this.bid(n, rng, ts) };
    }
  }

  private person(n: number, rng: Rng, ts: number): Person {
    const id = this.lastBase0PersonId(n) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[rng.int(FIRST_NAMES.length)]} ${LAST_NAMES[rng.int(LAST_NAMES.length)]}`;
    const emailAddress = `${nextString(rng, 7)}@${nextString(rng, 5)}.com`;
    let creditCard = '';
    for (let i = 0; i < 4; i++) creditCard += (i > 0 ? ' ' : '') + String(rng.int(10000)).padStart(4, '0');
    const city = US_CITIES[rng.int(US_CITIES.length)]!;
    const state = US_STATES[rng.int(US_STATES.length)]!;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    return { id, name, emailAddress, creditCard, city, state, dateTime: ts, extra: nextExtra(rng, size, this.config.avgPersonByteSize) };
  }

  private auction(n: number, rng: Rng, ts: number): Auction {
    const { hotSellersRatio, numInFlightAuctions, auctionProportion } = this.config;
    const id = this.lastBase0AuctionId(n) + FIRST_AUCTION_ID;
    const seller =
      (rng.int(hotSellersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(n) / hotSellersRatio) * hotSellersRatio
        : this.nextBase0PersonId(n, rng)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + rng.int(NUM_CATEGORIES);
    const initialBid = nextPrice(rng);
    // auctions last, on average, as long as it takes to start numInFlightAuctions more
    const horizonMs = Math.floor(((numInFlightAuctions * this.total) / auctionProportion) * this.interEventDelayMs);
    const expires = ts + 1 + rng.int(Math.max(horizonMs * 2, 1));
    const itemName = nextString(rng, 20);
    const description = nextString(rng, 100);
    const reserve = initialBid + nextPrice(rng);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    return {
      id,
      itemName,
      description,
      initialBid,
      reserve,
      dateTime: ts,
      expires,
      seller,
      category,
      extra: nextExtra(rng, size, this.config.avgAuctionByteSize),
    };
  }

  private bid(n: number, rng: Rng, ts: number): Bid {
    const { hotAuctionRatio, hotBiddersRatio } = this.config;
    const auction =
      (rng.int(hotAuctionRatio) > 0
        ? Math.floor(this.lastBase0AuctionId(n) / hotAuctionRatio) * hotAuctionRatio
        : this.nextBase0AuctionId(n, rng)) + FIRST_AUCTION_ID;
    const bidder =
      (rng.int(hotBiddersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(n) / hotBiddersRatio) * hotBiddersRatio + 1
        : this.nextBase0PersonId(n, rng)) + FIRST_PERSON_ID;
    const price = nextPrice(rng);
    let channel: string;
    let url: string;
    if (rng.int(HOT_CHANNELS_RATIO) > 0) {
      const i = rng.int(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = HOT_URLS[i]!;
    } else {
      [channel, url] = channelAndUrl(rng.int(CHANNELS_NUMBER));
    }
    return { auction, bidder, price, channel, url, dateTime: ts, extra: nextExtra(rng, 32, this.config.avgBidByteSize) };
  }

  /** Event n as a record for its topic. */
  record(n: number): ProduceRecord {
    const e = this.event(n);
    const value = Buffer.from(JSON.stringify(e.event));
    const key = e.type === 'bid' ? null : bigintKey((e.event as Person | Auction).id);
    return { topic: TOPICS[e.type], key, value, timestamp: e.event.dateTime };
  }
}

/** The KAFKA format of a BIGINT key: 8 bytes, big-endian. */
export function bigintKey(id: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(BigInt(id));
  return b;
}

export interface GeneratedCounts {
  person: number;
  auction: number;
  bid: number;
  total: number;
  bytes: number;
}

/** Creates the three topics (one partition, kept forever) unless they exist. */
export async function createNexmarkTopics(log: Log, partitions = 1): Promise<void> {
  const existing = new Set(await log.listTopics());
  for (const topic of Object.values(TOPICS)) {
    if (!existing.has(topic)) await log.createTopic(topic, { partitions, config: { 'retention.ms': -1, 'retention.bytes': -1 } });
  }
}

/** Writes events [from, from + count) into the log, `batch` events per produce call. */
export async function writeEvents(log: Log, gen: NexmarkGenerator, from: number, count: number, batch = 2000, only?: ReadonlySet<EventType>): Promise<GeneratedCounts> {
  const counts: GeneratedCounts = { person: 0, auction: 0, bid: 0, total: 0, bytes: 0 };
  for (let done = 0; done < count; ) {
    const n = Math.min(batch, count - done);
    const records: ProduceRecord[] = [];
    for (let i = 0; i < n; i++) {
      // an event depends only on its number: the others are the same without the skipped ones
      if (only && !only.has(gen.typeOf(from + done + i))) continue;
      const r = gen.record(from + done + i);
      records.push(r);
      counts[r.topic as EventType]++;
      counts.bytes += r.value!.length;
    }
    if (records.length > 0) await log.produce(records);
    done += n;
  }
  counts.total = count;
  return counts;
}
