/**
 * kafka-connect-datagen's DatagenConnector (io.confluent.kafka.connect.datagen.DatagenConnector) with
 * its quickstarts (users, pageviews, orders, ...): random records of the quickstart's schema, keyed by
 * its key field (`schema.keyfield` overrides), written to `kafka.topic`. `max.interval` (ms) is the
 * rate limit: each record waits a random time up to it, as datagen does; `iterations` bounds the
 * records per task (the count is the task's source offset, so a restart continues it).
 * `random.seed` (a Sluice addition) makes the data reproducible.
 */
import { ConfigDef, ConnectConfigError } from '../api/config-def.js';
import type { SourceRecord } from '../api/connect-record.js';
import type { Connector, SourceTask, SourceTaskContext } from '../api/connector.js';
import { Schemas, Struct, type Schema } from '../api/schema.js';

const VERSION = '0.6.5';

/** a small seedable PRNG (mulberry32) */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Quickstart {
  readonly schema: Schema;
  readonly keyField: string;
  /** a value for iteration n */
  generate(n: number, rnd: () => number): Struct;
}

const int = (rnd: () => number, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const S = (opt = false): Schema => Schemas.primitive('STRING', opt);
const L = (opt = false): Schema => Schemas.primitive('INT64', opt);
const I = (opt = false): Schema => Schemas.primitive('INT32', opt);
const D = (opt = false): Schema => Schemas.primitive('FLOAT64', opt);

function quickstart(fields: { name: string; schema: Schema }[], name: string, keyField: string, gen: (s: Struct, n: number, rnd: () => number) => void): Quickstart {
  const schema = Schemas.struct(fields, { name });
  return {
    schema,
    keyField,
    generate(n, rnd) {
      const s = new Struct(schema);
      gen(s, n, rnd);
      return s;
    },
  };
}

const addressSchema = Schemas.struct(
  [
    { name: 'city', schema: S() },
    { name: 'state', schema: S() },
    { name: 'zipcode', schema: L() },
  ],
  { name: 'ksql.address' },
);

const QUICKSTARTS: Record<string, Quickstart> = {
  users: quickstart(
    [
      { name: 'registertime', schema: L() },
      { name: 'userid', schema: S() },
      { name: 'regionid', schema: S() },
      { name: 'gender', schema: S() },
    ],
    'ksql.users',
    'userid',
    (s, _n, rnd) => {
      s.put('registertime', BigInt(int(rnd, 1487715775521, 1519273364600)));
      s.put('userid', `User_${int(rnd, 1, 9)}`);
      s.put('regionid', `Region_${int(rnd, 1, 9)}`);
      s.put('gender', pick(rnd, ['MALE', 'FEMALE', 'OTHER']));
    },
  ),
  pageviews: quickstart(
    [
      { name: 'viewtime', schema: L() },
      { name: 'userid', schema: S() },
      { name: 'pageid', schema: S() },
    ],
    'ksql.pageviews',
    'viewtime',
    (s, n, rnd) => {
      s.put('viewtime', BigInt(1 + n * 10));
      s.put('userid', `User_${int(rnd, 1, 9)}`);
      s.put('pageid', `Page_${int(rnd, 1, 99)}`);
    },
  ),
  orders: quickstart(
    [
      { name: 'ordertime', schema: L() },
      { name: 'orderid', schema: I() },
      { name: 'itemid', schema: S() },
      { name: 'orderunits', schema: D() },
      { name: 'address', schema: addressSchema },
    ],
    'ksql.orders',
    'orderid',
    (s, n, rnd) => {
      s.put('ordertime', BigInt(int(rnd, 1487715775521, 1519273364600)));
      s.put('orderid', n);
      s.put('itemid', `Item_${int(rnd, 1, 999)}`);
      s.put('orderunits', Math.round((0.1 + rnd() * 9.9) * 1e6) / 1e6);
      const a = new Struct(addressSchema);
      a.put('city', `City_${int(rnd, 1, 99)}`);
      a.put('state', `State_${int(rnd, 1, 99)}`);
      a.put('zipcode', BigInt(int(rnd, 10000, 99999)));
      s.put('address', a);
    },
  ),
  ratings: quickstart(
    [
      { name: 'rating_id', schema: L() },
      { name: 'user_id', schema: I() },
      { name: 'stars', schema: I() },
      { name: 'route_id', schema: I() },
      { name: 'rating_time', schema: L() },
      { name: 'channel', schema: S() },
      { name: 'message', schema: S() },
    ],
    'ksql.ratings',
    'rating_id',
    (s, n, rnd) => {
      s.put('rating_id', BigInt(n + 1));
      s.put('user_id', int(rnd, 1, 20));
      s.put('stars', int(rnd, 1, 5));
      s.put('route_id', int(rnd, 1000, 9999));
      s.put('rating_time', BigInt(1 + n * 10));
      s.put('channel', pick(rnd, ['iOS', 'iOS-test', 'android', 'web']));
      s.put('message', pick(rnd, ['thank you for the most friendly, helpful experience today at your new lounge', 'more peanuts please', 'meh', 'worst. flight. ever. #neveragain', 'airport refurb looks great, will fly outta here more!']));
    },
  ),
  stock_trades: quickstart(
    [
      { name: 'side', schema: S() },
      { name: 'quantity', schema: I() },
      { name: 'symbol', schema: S() },
      { name: 'price', schema: I() },
      { name: 'account', schema: S() },
      { name: 'userid', schema: S() },
    ],
    'ksql.StockTrade',
    'symbol',
    (s, _n, rnd) => {
      s.put('side', pick(rnd, ['BUY', 'SELL']));
      s.put('quantity', int(rnd, 1, 5000));
      s.put('symbol', pick(rnd, ['ZBZX', 'ZJZZT', 'ZTEST', 'ZVV', 'ZVZZT', 'ZWZZT', 'ZXZZT']));
      s.put('price', int(rnd, 5, 1000));
      s.put('account', pick(rnd, ['ABC123', 'LMN456', 'XYZ789']));
      s.put('userid', `User_${int(rnd, 1, 9)}`);
    },
  ),
};

export const DATAGEN_QUICKSTARTS = Object.keys(QUICKSTARTS);

function configDef(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'kafka.topic', type: 'STRING', importance: 'HIGH', documentation: 'Topic to write to' })
    .define({ name: 'max.interval', type: 'LONG', defaultValue: 500, importance: 'HIGH', documentation: 'Max interval between messages (ms)' })
    .define({ name: 'iterations', type: 'INT', defaultValue: 1000000, importance: 'HIGH', documentation: 'Number of messages to send from each task, or less than 1 for unlimited' })
    .define({ name: 'quickstart', type: 'STRING', defaultValue: '', importance: 'HIGH', documentation: `Name of a quickstart schema (${DATAGEN_QUICKSTARTS.join(', ')})`, validator: (n, v) => {
      const q = String(v).trim().toLowerCase();
      if (q !== '' && !QUICKSTARTS[q]) throw new ConnectConfigError(n, v, `Not a quickstart: use one of ${DATAGEN_QUICKSTARTS.join(', ')}`);
      if (q === '') throw new ConnectConfigError(n, v, 'A quickstart is required (schema.string and schema.filename are not supported)');
    } })
    .define({ name: 'schema.keyfield', type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: 'Name of field to use as the message key' })
    .define({ name: 'random.seed', type: 'LONG', defaultValue: null, importance: 'LOW', documentation: 'Seed of the random generator, for reproducible data' });
}

export class DatagenConnector implements Connector {
  readonly type = 'source' as const;
  private props: Readonly<Record<string, string>> = {};
  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return configDef();
  }
  start(props: Readonly<Record<string, string>>): void {
    configDef().parse(props);
    this.props = props;
  }
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, (_, i) => ({ ...this.props, 'task.id': String(i) }));
  }
  stop(): void {}
  taskFactory(): () => SourceTask {
    return () => new DatagenTask();
  }
}

const KEY_SCHEMA = Schemas.primitive('STRING', true);

export class DatagenTask implements SourceTask {
  readonly kind = 'source' as const;
  private topic = '';
  private maxInterval = 500;
  private iterations = -1;
  private count = 0;
  private taskId = 0;
  private q!: Quickstart;
  private keyField = '';
  private rnd: () => number = Math.random;
  private stopped = false;
  version(): string {
    return VERSION;
  }
  start(props: Readonly<Record<string, string>>, context: SourceTaskContext): void {
    const c = configDef().parse(props);
    this.topic = String(c['kafka.topic']);
    this.maxInterval = Number(c['max.interval']);
    this.iterations = Number(c['iterations']);
    this.q = QUICKSTARTS[String(c['quickstart']).trim().toLowerCase()]!;
    this.keyField = String(c['schema.keyfield']) || this.q.keyField;
    this.taskId = Number(props['task.id'] ?? 0);
    const last = context.offsetStorageReader.offset({ 'task.id': this.taskId });
    this.count = typeof last?.['current.iteration'] === 'number' ? last['current.iteration'] + 1 : 0;
    const seed = c['random.seed'];
    // a seeded run continues the same sequence after a restart: skip what was drawn before
    if (seed !== null && seed !== undefined) this.rnd = prng(Number(seed) + this.taskId * 7919 + this.count * 104729);
  }
  async poll(): Promise<SourceRecord[] | null> {
    const out: SourceRecord[] = [];
    const started = Date.now();
    // a batch spans at most ~100 ms of waiting, so offsets are committed often
    while (!this.stopped && (this.iterations < 1 || this.count < this.iterations) && out.length < 1000) {
      if (this.maxInterval > 0) {
        const wait = Math.floor(this.rnd() * this.maxInterval);
        if (out.length > 0 && Date.now() + wait - started > 100) break;
        await new Promise((r) => setTimeout(r, wait));
      }
      const value = this.q.generate(this.count, this.rnd);
      const key = value.get(this.keyField);
      out.push({
        topic: this.topic,
        kafkaPartition: null,
        keySchema: KEY_SCHEMA,
        key: key === null || key === undefined ? null : String(key),
        valueSchema: this.q.schema,
        value,
        timestamp: null,
        headers: [],
        sourcePartition: { 'task.id': this.taskId },
        sourceOffset: { 'current.iteration': this.count },
      });
      this.count++;
    }
    return out.length ? out : null;
  }
  stop(): void {
    this.stopped = true;
  }
}
