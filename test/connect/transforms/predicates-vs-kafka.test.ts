/** Kafka's predicates against Sluice's, and `negate` wrapping through Filter. */
import { describeAgainstKafka, J } from '../java-harness/against-kafka.js';
import type { HarnessCase, HarnessRecord } from '../java-harness/harness-case.js';

const P = 'org.apache.kafka.connect.transforms.predicates.';
const rec = (extra: Partial<HarnessRecord> = {}): HarnessRecord => ({
  topic: 'orders.eu',
  partition: 0,
  key: J.env(J.string(), 'k'),
  value: J.env(J.string(), 'v'),
  timestamp: 1,
  headers: [
    { key: 'trace', value: J.env(J.string(), 'abc') },
    { key: 'empty', value: null },
  ],
  ...extra,
});

let n = 0;
const cases: HarnessCase[] = [];
function add(name: string, cls: string, config: Record<string, string>, record: HarnessRecord, extra: Partial<HarnessCase> = {}): void {
  cases.push({ id: `${String(++n).padStart(3, '0')} ${name}`, kind: 'predicate', class: P + cls, config, record, ...extra } as HarnessCase);
}
function filter(name: string, cls: string, config: Record<string, string>, negate: boolean, record: HarnessRecord): void {
  cases.push({ id: `${String(++n).padStart(3, '0')} Filter ${negate ? 'unless' : 'if'} ${name}`, kind: 'transform', class: 'org.apache.kafka.connect.transforms.Filter', config: {}, record, predicate: { class: P + cls, config, negate } });
}

add('HasHeaderKey present', 'HasHeaderKey', { name: 'trace' }, rec());
add('HasHeaderKey present with null value', 'HasHeaderKey', { name: 'empty' }, rec());
add('HasHeaderKey absent', 'HasHeaderKey', { name: 'nope' }, rec());
add('HasHeaderKey case sensitive', 'HasHeaderKey', { name: 'TRACE' }, rec());
add('HasHeaderKey no headers', 'HasHeaderKey', { name: 'trace' }, rec({ headers: [] }));
add('HasHeaderKey empty name', 'HasHeaderKey', { name: '' }, rec());
add('HasHeaderKey missing name', 'HasHeaderKey', {}, rec());
add('RecordIsTombstone value', 'RecordIsTombstone', {}, rec());
add('RecordIsTombstone null value', 'RecordIsTombstone', {}, rec({ value: null }));
add('RecordIsTombstone null value with schema', 'RecordIsTombstone', {}, rec({ value: J.env(J.string(true), null) }));
add('RecordIsTombstone null key only', 'RecordIsTombstone', {}, rec({ key: null }));
add('TopicNameMatches full match', 'TopicNameMatches', { pattern: 'orders\\..*' }, rec());
add('TopicNameMatches partial is no match', 'TopicNameMatches', { pattern: 'orders' }, rec());
add('TopicNameMatches alternation', 'TopicNameMatches', { pattern: 'x|orders\\.(eu|us)' }, rec());
add('TopicNameMatches case', 'TopicNameMatches', { pattern: '(?i)ORDERS.EU' }, rec());
add('TopicNameMatches empty pattern', 'TopicNameMatches', { pattern: '' }, rec());
add('TopicNameMatches invalid regex', 'TopicNameMatches', { pattern: '[a-' }, rec(), { messageDiffers: 'java.util.regex and JS describe syntax errors differently' });
add('TopicNameMatches missing', 'TopicNameMatches', {}, rec());
filter('HasHeaderKey', 'HasHeaderKey', { name: 'trace' }, false, rec());
filter('HasHeaderKey', 'HasHeaderKey', { name: 'trace' }, true, rec());
filter('RecordIsTombstone', 'RecordIsTombstone', {}, false, rec({ value: null }));
filter('RecordIsTombstone', 'RecordIsTombstone', {}, true, rec({ value: null }));
filter('TopicNameMatches', 'TopicNameMatches', { pattern: 'orders.*' }, true, rec());
filter('TopicNameMatches', 'TopicNameMatches', { pattern: 'x.*' }, true, rec());

describeAgainstKafka('predicates agree with Kafka Connect 4.1', cases);
