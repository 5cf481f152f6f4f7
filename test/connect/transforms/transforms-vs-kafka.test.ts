/**
 * Every SMT Kafka ships, $Key and $Value, schema'd and schemaless, config errors and data errors:
 * each case runs through Kafka's own class (Java harness) and Sluice's, and the outcomes must match.
 */
import { describeAgainstKafka, J } from '../java-harness/against-kafka.js';
import type { HarnessCase, HarnessRecord } from '../java-harness/harness-case.js';

const T = 'org.apache.kafka.connect.transforms.';
const TS = 1700000000123;

const personSchema = J.struct({ id: J.int32(), name: J.string(true), age: J.int16(true), score: J.float64(true), active: J.bool(true), ts: J.timestamp(true) }, { name: 'com.example.Person', version: 2, doc: 'a person' });
const person = J.env(personSchema, { id: 7, name: 'ann', age: 30, score: 1.5, active: true, ts: TS });
const personNulls = J.env(personSchema, { id: 8, name: null, age: null, score: null, active: null, ts: null });
const personMap = J.schemaless({ id: 7, name: 'ann', age: 30, score: 1.5, active: true });
const nestedSchema = J.struct({ id: J.int64(), addr: J.struct({ city: J.string(), zip: J.int32(true), geo: J.struct({ lat: J.float64(), lon: J.float64() }, { optional: true }) }), tags: J.array(J.string(), true) });
const nested = J.env(nestedSchema, { id: 1, addr: { city: 'Oslo', zip: 150, geo: { lat: 59.9, lon: 10.7 } }, tags: ['a', 'b'] });
const nestedMap = J.schemaless({ id: 1, addr: { city: 'Oslo', zip: 150, geo: { lat: 59.9, lon: 10.7 } }, tags: ['a', 'b'] });
const defaultsSchema = J.struct({ id: J.int32(), color: { type: 'string', optional: true, default: 'blue' }, n: { type: 'int32', optional: true, default: 5 } });
const withDefaults = J.env(defaultsSchema, { id: 1, color: null, n: null });
const keyStruct = J.env(J.struct({ k: J.int32(), region: J.string() }), { k: 42, region: 'eu' });

const rec = (value: unknown, extra: Partial<HarnessRecord> = {}): HarnessRecord => ({ topic: 'orders', partition: 3, key: keyStruct, value, timestamp: TS, headers: [], ...extra });

let n = 0;
const cases: HarnessCase[] = [];
function add(id: string, cls: string, config: Record<string, string>, record: HarnessRecord, extra: Partial<HarnessCase> = {}): void {
  cases.push({ id: `${String(++n).padStart(3, '0')} ${id}`, kind: 'transform', class: T + cls, config, record, ...extra } as HarnessCase);
}

// ---- Cast
add('Cast$Value fields struct', 'Cast$Value', { spec: 'id:string,age:int64,score:int32,active:int8,name:string' }, rec(person));
add('Cast$Value to floats and boolean', 'Cast$Value', { spec: 'id:float32,age:float64,score:boolean' }, rec(person));
add('Cast$Value nulls', 'Cast$Value', { spec: 'name:string,age:int64' }, rec(personNulls));
add('Cast$Value timestamp to string and int64', 'Cast$Value', { spec: 'ts:string' }, rec(person));
add('Cast$Value timestamp to int64', 'Cast$Value', { spec: 'ts:int64' }, rec(person));
add('Cast$Value schemaless fields', 'Cast$Value', { spec: 'id:string,score:int32,active:int16,missing:string' }, rec(personMap));
add('Cast$Value whole value int32 to string', 'Cast$Value', { spec: 'string' }, rec(J.env(J.int32(), 42)));
add('Cast$Value whole string to int64', 'Cast$Value', { spec: 'int64' }, rec(J.env(J.string(), '123456789012')));
add('Cast$Value whole bad number string', 'Cast$Value', { spec: 'int32' }, rec(J.env(J.string(), 'abc')));
add('Cast$Value whole out of range int8', 'Cast$Value', { spec: 'int8' }, rec(J.env(J.string(), '300')));
add('Cast$Value whole string to boolean', 'Cast$Value', { spec: 'boolean' }, rec(J.env(J.string(), 'TRUE')));
add('Cast$Value whole string to float64', 'Cast$Value', { spec: 'float64' }, rec(J.env(J.string(), '2.5e3')));
add('Cast$Value whole int64 narrowing to int8', 'Cast$Value', { spec: 'int8' }, rec(J.env(J.int64(), 1000)));
add('Cast$Value whole double truncation to int32', 'Cast$Value', { spec: 'int32' }, rec(J.env(J.float64(), '-7.9' as unknown)));
add('Cast$Value bytes to string (base64)', 'Cast$Value', { spec: 'string' }, rec(J.env(J.bytes(), 'aGVsbG8=')));
add('Cast$Value bytes to int fails', 'Cast$Value', { spec: 'int32' }, rec(J.env(J.bytes(), 'aGVsbG8=')));
add('Cast$Value struct field from array fails', 'Cast$Value', { spec: 'tags:string' }, rec(nested));
add('Cast$Value decimal to float64', 'Cast$Value', { spec: 'float64' }, rec(J.env(J.decimal(2), 'MDk=')));
add('Cast$Value decimal to int32', 'Cast$Value', { spec: 'int32' }, rec(J.env(J.decimal(2), 'MDk=')));
add('Cast$Value decimal to string', 'Cast$Value', { spec: 'string' }, rec(J.env(J.decimal(2), 'MDk=')));
add('Cast$Value default values cast', 'Cast$Value', { spec: 'n:string' }, rec(withDefaults));
add('Cast$Value replace.null.with.default=false', 'Cast$Value', { spec: 'n:string', 'replace.null.with.default': 'false' }, rec(withDefaults));
add('Cast$Value null value passes', 'Cast$Value', { spec: 'id:string' }, rec(null));
add('Cast$Key struct', 'Cast$Key', { spec: 'k:string' }, rec(person));
add('Cast$Key schemaless', 'Cast$Key', { spec: 'k:float64' }, rec(person, { key: J.schemaless({ k: '3.25' }) }));
add('Cast config missing spec', 'Cast$Value', {}, rec(person));
add('Cast config empty spec', 'Cast$Value', { spec: '' }, rec(person));
add('Cast config bad type', 'Cast$Value', { spec: 'id:foo' }, rec(person));
add('Cast config unsupported output type', 'Cast$Value', { spec: 'id:bytes' }, rec(person));
add('Cast config whole plus field', 'Cast$Value', { spec: 'string,id:int8' }, rec(person));
add('Cast config three parts', 'Cast$Value', { spec: 'a:b:c' }, rec(person));
add('Cast schemaless non-map fails', 'Cast$Value', { spec: 'id:string' }, rec(J.schemaless([1, 2])));

// ---- DropHeaders
const hdrs = [
  { key: 'a', value: J.env(J.string(), 'x') },
  { key: 'b', value: J.env(J.int32(), 2) },
  { key: 'a', value: J.env(J.string(), 'y') },
];
add('DropHeaders drops all with the name', 'DropHeaders', { headers: 'a' }, rec(person, { headers: hdrs }));
add('DropHeaders several', 'DropHeaders', { headers: 'a,b,zz' }, rec(person, { headers: hdrs }));
add('DropHeaders config empty', 'DropHeaders', { headers: '' }, rec(person));
add('DropHeaders config missing', 'DropHeaders', {}, rec(person));

// ---- ExtractField
add('ExtractField$Value struct', 'ExtractField$Value', { field: 'name' }, rec(person));
add('ExtractField$Value struct null value', 'ExtractField$Value', { field: 'name' }, rec(null, { value: J.env({ ...personSchema, optional: true }, null) }));
add('ExtractField$Value unknown field', 'ExtractField$Value', { field: 'nope' }, rec(person));
add('ExtractField$Value schemaless', 'ExtractField$Value', { field: 'score' }, rec(personMap));
add('ExtractField$Value schemaless missing', 'ExtractField$Value', { field: 'nope' }, rec(personMap));
add('ExtractField$Value V2 nested struct', 'ExtractField$Value', { field: 'addr.geo.lat', 'field.syntax.version': 'V2' }, rec(nested));
add('ExtractField$Value V2 nested map', 'ExtractField$Value', { field: 'addr.city', 'field.syntax.version': 'v2' }, rec(nestedMap));
add('ExtractField$Value V1 dotted name', 'ExtractField$Value', { field: 'addr.city' }, rec(nested));
add('ExtractField$Value V2 backticks', 'ExtractField$Value', { field: '`a.b`.c', 'field.syntax.version': 'V2' }, rec(J.schemaless({ 'a.b': { c: 5 } })));
add('ExtractField$Value V2 incomplete backtick', 'ExtractField$Value', { field: '`a.b', 'field.syntax.version': 'V2' }, rec(nestedMap));
add('ExtractField$Value bad syntax version', 'ExtractField$Value', { field: 'a', 'field.syntax.version': 'V3' }, rec(nestedMap));
add('ExtractField$Value default applied', 'ExtractField$Value', { field: 'color' }, rec(withDefaults));
add('ExtractField$Value default not applied', 'ExtractField$Value', { field: 'color', 'replace.null.with.default': 'false' }, rec(withDefaults));
add('ExtractField$Value schemaless string fails', 'ExtractField$Value', { field: 'a' }, rec(J.schemaless('text')));
add('ExtractField$Key struct', 'ExtractField$Key', { field: 'region' }, rec(person));
add('ExtractField config missing', 'ExtractField$Key', {}, rec(person));

// ---- Filter (with predicates)
add('Filter drops', 'Filter', {}, rec(person));
add('Filter with TopicNameMatches match', 'Filter', {}, rec(person), { predicate: { class: T + 'predicates.TopicNameMatches', config: { pattern: 'ord.*' } } });
add('Filter with TopicNameMatches no match', 'Filter', {}, rec(person), { predicate: { class: T + 'predicates.TopicNameMatches', config: { pattern: 'x.*' } } });
add('Filter with negated HasHeaderKey', 'Filter', {}, rec(person, { headers: hdrs }), { predicate: { class: T + 'predicates.HasHeaderKey', config: { name: 'b' }, negate: true } });
add('Filter with RecordIsTombstone on tombstone', 'Filter', {}, rec(null), { predicate: { class: T + 'predicates.RecordIsTombstone' } });
add('Cast with negated RecordIsTombstone', 'Cast$Value', { spec: 'id:string' }, rec(person), { predicate: { class: T + 'predicates.RecordIsTombstone', negate: true } });

// ---- Flatten
add('Flatten$Value struct', 'Flatten$Value', {}, rec(nested));
add('Flatten$Value delimiter', 'Flatten$Value', { delimiter: '_' }, rec(nested));
add('Flatten$Value optional nested null', 'Flatten$Value', {}, rec(J.env(nestedSchema, { id: 2, addr: { city: 'Rome', zip: null, geo: null }, tags: null })));
add('Flatten$Value schemaless', 'Flatten$Value', {}, rec(nestedMap));
add('Flatten$Value schemaless null field', 'Flatten$Value', {}, rec(J.schemaless({ a: null, b: { c: null, d: 1 } })));
add('Flatten$Value map field fails', 'Flatten$Value', {}, rec(J.env(J.struct({ m: J.map(J.string(), J.int32()) }), { m: { x: 1 } })));
add('Flatten$Value null passes', 'Flatten$Value', {}, rec(null));
add('Flatten$Key struct', 'Flatten$Key', {}, rec(person, { key: nested }));
add('Flatten$Value default struct fields', 'Flatten$Value', {}, rec(withDefaults));

// ---- HeaderFrom
add('HeaderFrom$Value copy struct', 'HeaderFrom$Value', { fields: 'id,name', headers: 'h_id,h_name', operation: 'copy' }, rec(person, { headers: hdrs }));
add('HeaderFrom$Value move struct', 'HeaderFrom$Value', { fields: 'id,ts', headers: 'h_id,h_ts', operation: 'move' }, rec(person));
add('HeaderFrom$Value move schemaless', 'HeaderFrom$Value', { fields: 'id,missing', headers: 'x,y', operation: 'move' }, rec(personMap));
add('HeaderFrom$Value copy schemaless', 'HeaderFrom$Value', { fields: 'name', headers: 'n', operation: 'copy' }, rec(personMap));
add('HeaderFrom$Key copy', 'HeaderFrom$Key', { fields: 'region', headers: 'r', operation: 'copy' }, rec(person));
add('HeaderFrom config count mismatch', 'HeaderFrom$Value', { fields: 'a,b', headers: 'x', operation: 'copy' }, rec(person));
add('HeaderFrom config bad operation', 'HeaderFrom$Value', { fields: 'a', headers: 'x', operation: 'cut' }, rec(person));
add('HeaderFrom default values', 'HeaderFrom$Value', { fields: 'color', headers: 'c', operation: 'copy' }, rec(withDefaults));
add('HeaderFrom null value fails', 'HeaderFrom$Value', { fields: 'a', headers: 'x', operation: 'copy' }, rec(null));

// ---- HoistField
add('HoistField$Value struct', 'HoistField$Value', { field: 'wrapped' }, rec(person));
add('HoistField$Value primitive', 'HoistField$Value', { field: 'v' }, rec(J.env(J.int64(), 99)));
add('HoistField$Value schemaless', 'HoistField$Value', { field: 'v' }, rec(J.schemaless('text')));
add('HoistField$Value null schemaless', 'HoistField$Value', { field: 'v' }, rec(null));
add('HoistField$Key', 'HoistField$Key', { field: 'k' }, rec(person));
add('HoistField config missing', 'HoistField$Value', {}, rec(person));

// ---- InsertField
add('InsertField$Value all struct (source)', 'InsertField$Value', { 'topic.field': 't', 'partition.field': 'p', 'timestamp.field': 'ts_in', 'static.field': 's', 'static.value': 'v1' }, rec(person));
add('InsertField$Value offset on sink record', 'InsertField$Value', { 'offset.field': 'off!', 'topic.field': 'topic!' }, rec(person, { offset: 1234 }));
add('InsertField$Value offset on source record fails', 'InsertField$Value', { 'offset.field': 'off' }, rec(person));
add('InsertField$Value schemaless', 'InsertField$Value', { 'topic.field': 't', 'partition.field': 'p', 'timestamp.field': 'ts_in', 'static.field': 's', 'static.value': 'v1', 'offset.field': 'o' }, rec(personMap, { offset: 9 }));
add('InsertField$Value null timestamp', 'InsertField$Value', { 'timestamp.field': 'ts_in' }, rec(person, { timestamp: null }));
add('InsertField$Value required timestamp missing', 'InsertField$Value', { 'timestamp.field': 'ts_in!' }, rec(person, { timestamp: null }));
add('InsertField$Value duplicate field', 'InsertField$Value', { 'topic.field': 'name' }, rec(person));
add('InsertField$Value null value passes', 'InsertField$Value', { 'topic.field': 't' }, rec(null));
add('InsertField$Key', 'InsertField$Key', { 'topic.field': 't' }, rec(person));
add('InsertField config nothing', 'InsertField$Value', {}, rec(person));
add('InsertField config static without value', 'InsertField$Value', { 'static.field': 's' }, rec(person), { messageDiffers: 'Kafka prints the InsertionSpec object (Class@hash)' });
add('InsertField schemaless non-map fails', 'InsertField$Value', { 'topic.field': 't' }, rec(J.schemaless(5)));

// ---- InsertHeader
for (const [i, literal] of ['hello', '42', '-129', '40000', '3000000000', 'true', 'FALSE', '1.5', '1.25e300', '2024-03-01', '12:30:00.000Z', '2024-03-01T12:30:00.000Z', '', '  spaced  ', 'null', '99999999999999999999', '[1,2,3]', '{"k":"v"}', '[1,null]', 'x,y'].entries()) {
  add(`InsertHeader literal ${i} ${JSON.stringify(literal)}`, 'InsertHeader', { header: 'h', 'value.literal': literal }, rec(person, { headers: hdrs }));
}
add('InsertHeader config missing literal', 'InsertHeader', { header: 'h' }, rec(person));

// ---- MaskField
add('MaskField$Value struct', 'MaskField$Value', { fields: 'id,name,age,score,active,ts' }, rec(person));
add('MaskField$Value struct nulls', 'MaskField$Value', { fields: 'name,age' }, rec(personNulls));
add('MaskField$Value replacement numbers', 'MaskField$Value', { fields: 'id,age,score', replacement: '12' }, rec(person));
add('MaskField$Value replacement string', 'MaskField$Value', { fields: 'name', replacement: '***' }, rec(person));
add('MaskField$Value replacement on boolean fails', 'MaskField$Value', { fields: 'active', replacement: 'x' }, rec(person));
add('MaskField$Value replacement not a number', 'MaskField$Value', { fields: 'id', replacement: 'abc' }, rec(person), { messageDiffers: 'Values.convertTo wording' });
// (schemaless doubles masked to 0.0 print as 0 in Sluice: its schemaless numbers do not keep Double vs Long)
add('MaskField$Value schemaless', 'MaskField$Value', { fields: 'id,name,active,missing' }, rec(personMap));
add('MaskField$Value array and map', 'MaskField$Value', { fields: 'tags' }, rec(nested));
add('MaskField$Value bytes fails', 'MaskField$Value', { fields: 'b' }, rec(J.env(J.struct({ b: J.bytes() }), { b: 'AAE=' })));
add('MaskField$Value decimal', 'MaskField$Value', { fields: 'd' }, rec(J.env(J.struct({ d: J.decimal(2) }), { d: 'MDk=' })));
add('MaskField$Key', 'MaskField$Key', { fields: 'region' }, rec(person));
add('MaskField config empty replacement', 'MaskField$Value', { fields: 'id', replacement: '' }, rec(person));
add('MaskField null value fails', 'MaskField$Value', { fields: 'id' }, rec(null));

// ---- RegexRouter
add('RegexRouter rewrites', 'RegexRouter', { regex: '(.*)ers', replacement: 'v2-$1' }, rec(person));
add('RegexRouter no full match', 'RegexRouter', { regex: 'ord', replacement: 'x' }, rec(person));
add('RegexRouter whole replacement', 'RegexRouter', { regex: '.*', replacement: 'all' }, rec(person));
add('RegexRouter named group', 'RegexRouter', { regex: '(?<base>o.*)', replacement: '${base}_x' }, rec(person));
add('RegexRouter invalid regex', 'RegexRouter', { regex: '(abc', replacement: 'x' }, rec(person), { messageDiffers: 'java.util.regex and JS describe syntax errors differently' });

// ---- ReplaceField
add('ReplaceField$Value include+rename', 'ReplaceField$Value', { include: 'id,name,age', renames: 'name:full_name,age:years' }, rec(person));
add('ReplaceField$Value exclude', 'ReplaceField$Value', { exclude: 'ts,score' }, rec(person));
add('ReplaceField$Value exclude wins over include', 'ReplaceField$Value', { include: 'id,name', exclude: 'name' }, rec(person));
add('ReplaceField$Value schemaless', 'ReplaceField$Value', { exclude: 'score', renames: 'id:ident' }, rec(personMap));
add('ReplaceField$Value rename onto existing', 'ReplaceField$Value', { renames: 'name:id' }, rec(person));
add('ReplaceField$Value bad rename', 'ReplaceField$Value', { renames: 'a:b:c' }, rec(person));
add('ReplaceField$Value bad rename single', 'ReplaceField$Value', { renames: 'abc' }, rec(person));
add('ReplaceField$Value defaults', 'ReplaceField$Value', { renames: 'color:colour' }, rec(withDefaults));
add('ReplaceField$Key', 'ReplaceField$Key', { renames: 'k:key_id' }, rec(person));
add('ReplaceField$Value null passes', 'ReplaceField$Value', { exclude: 'a' }, rec(null));

// ---- SetSchemaMetadata
add('SetSchemaMetadata$Value name+version', 'SetSchemaMetadata$Value', { 'schema.name': 'com.example.New', 'schema.version': '3' }, rec(person));
add('SetSchemaMetadata$Value version only', 'SetSchemaMetadata$Value', { 'schema.version': '9' }, rec(person));
add('SetSchemaMetadata$Value primitive', 'SetSchemaMetadata$Value', { 'schema.name': 'x' }, rec(J.env(J.string(), 'v')));
add('SetSchemaMetadata$Value schemaless fails', 'SetSchemaMetadata$Value', { 'schema.name': 'x' }, rec(personMap));
add('SetSchemaMetadata$Value tombstone without schema passes', 'SetSchemaMetadata$Value', { 'schema.name': 'x' }, rec(null));
add('SetSchemaMetadata$Key', 'SetSchemaMetadata$Key', { 'schema.name': 'key.Name' }, rec(person));
add('SetSchemaMetadata config nothing', 'SetSchemaMetadata$Value', {}, rec(person));
add('SetSchemaMetadata config bad version', 'SetSchemaMetadata$Value', { 'schema.version': 'x' }, rec(person));

// ---- TimestampConverter
const tsSchema = J.struct({ id: J.int32(), ts: J.timestamp(), s: J.string(true), u: J.int64(true) });
const tsRec = J.env(tsSchema, { id: 1, ts: TS, s: '2024-03-01 12:30:45', u: 1709296245000 });
add('TimestampConverter$Value Timestamp->string', 'TimestampConverter$Value', { field: 'ts', 'target.type': 'string', format: "yyyy-MM-dd'T'HH:mm:ss.SSS" }, rec(tsRec));
add('TimestampConverter$Value Timestamp->unix', 'TimestampConverter$Value', { field: 'ts', 'target.type': 'unix' }, rec(tsRec));
add('TimestampConverter$Value Timestamp->unix seconds', 'TimestampConverter$Value', { field: 'ts', 'target.type': 'unix', 'unix.precision': 'seconds' }, rec(tsRec));
add('TimestampConverter$Value Timestamp->unix micros', 'TimestampConverter$Value', { field: 'ts', 'target.type': 'unix', 'unix.precision': 'microseconds' }, rec(tsRec));
add('TimestampConverter$Value Timestamp->Date', 'TimestampConverter$Value', { field: 'ts', 'target.type': 'Date' }, rec(tsRec));
add('TimestampConverter$Value Timestamp->Time', 'TimestampConverter$Value', { field: 'ts', 'target.type': 'Time' }, rec(tsRec));
add('TimestampConverter$Value string->Timestamp', 'TimestampConverter$Value', { field: 's', 'target.type': 'Timestamp', format: 'yyyy-MM-dd HH:mm:ss' }, rec(tsRec));
add('TimestampConverter$Value string unparseable', 'TimestampConverter$Value', { field: 's', 'target.type': 'Timestamp', format: 'yyyy/MM/dd' }, rec(tsRec));
add('TimestampConverter$Value unix->Timestamp', 'TimestampConverter$Value', { field: 'u', 'target.type': 'Timestamp' }, rec(tsRec));
add('TimestampConverter$Value unix nanos->string', 'TimestampConverter$Value', { field: 'u', 'target.type': 'string', 'unix.precision': 'nanoseconds', format: 'yyyy-MM-dd' }, rec(tsRec));
add('TimestampConverter$Value int32 field fails', 'TimestampConverter$Value', { field: 'id', 'target.type': 'Timestamp' }, rec(tsRec));
add('TimestampConverter$Value whole value', 'TimestampConverter$Value', { 'target.type': 'string', format: 'yyyyMMdd' }, rec(J.env(J.timestamp(), TS)));
add('TimestampConverter$Value schemaless field unix->unix seconds', 'TimestampConverter$Value', { field: 'u', 'target.type': 'unix', 'unix.precision': 'seconds' }, rec(J.schemaless({ u: 1709296245000 })));
add('TimestampConverter$Value schemaless string->string', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: 'yyyy-MM-dd' }, rec(J.schemaless({ s: '2024-03-01' })));
add('TimestampConverter$Value schemaless whole null', 'TimestampConverter$Value', { 'target.type': 'unix' }, rec(null));
add('TimestampConverter$Value schemaless boolean fails', 'TimestampConverter$Value', { field: 'b', 'target.type': 'unix' }, rec(J.schemaless({ b: true })));
add('TimestampConverter$Key', 'TimestampConverter$Key', { 'target.type': 'Timestamp' }, rec(person, { key: J.env(J.int64(), 1000) }));
add('TimestampConverter config string without format', 'TimestampConverter$Value', { 'target.type': 'string' }, rec(tsRec));
add('TimestampConverter config bad type', 'TimestampConverter$Value', { 'target.type': 'date' }, rec(tsRec));
add('TimestampConverter config bad precision', 'TimestampConverter$Value', { 'target.type': 'unix', 'unix.precision': 'hours' }, rec(tsRec));

// ---- TimestampRouter
add('TimestampRouter default', 'TimestampRouter', {}, rec(person));
add('TimestampRouter custom', 'TimestampRouter', { 'topic.format': 'x-${timestamp}-${topic}-${topic}', 'timestamp.format': 'yyyy.MM.dd.HH' }, rec(person));
add('TimestampRouter missing timestamp', 'TimestampRouter', {}, rec(person, { timestamp: null }), { messageDiffers: 'Kafka prints the whole record' });

// ---- ValueToKey
add('ValueToKey struct', 'ValueToKey', { fields: 'id,name' }, rec(person));
add('ValueToKey schemaless', 'ValueToKey', { fields: 'id,missing' }, rec(personMap));
add('ValueToKey unknown field', 'ValueToKey', { fields: 'nope' }, rec(person));
add('ValueToKey defaults', 'ValueToKey', { fields: 'color' }, rec(withDefaults));
add('ValueToKey null value fails', 'ValueToKey', { fields: 'id' }, rec(null));
add('ValueToKey config empty', 'ValueToKey', { fields: '' }, rec(person));

// ---- breadth: more shapes through the same SMTs
const deepSchema = J.struct({
  id: J.int32(),
  items: J.array(J.struct({ sku: J.string(), qty: J.int16() })),
  meta: J.map(J.string(), J.string(), true),
  when: J.date(true),
  at: J.time(true),
  amount: J.decimal(3, true),
  raw: J.bytes(true),
  f: J.float32(true),
});
const deep = `{"schema":${JSON.stringify(deepSchema)},"payload":{"id":5,"items":[{"sku":"a","qty":2},{"sku":"b","qty":-1}],"meta":{"k":"v"},"when":19500,"at":3600000,"amount":"AeI=","raw":"3q2+7w==","f":0.1}}`;
add('Flatten$Value arrays of structs kept', 'Flatten$Value', { delimiter: '/' }, rec(deep));
add('Cast$Value float32 and date to string', 'Cast$Value', { spec: 'f:string,when:string,at:string,id:float32' }, rec(deep));
add('Cast$Value date to int32 and time to int64', 'Cast$Value', { spec: 'when:int32,at:int64' }, rec(deep));
add('Cast$Value decimal field to float64', 'Cast$Value', { spec: 'amount:float64' }, rec(deep));
add('Cast$Value bytes field to string', 'Cast$Value', { spec: 'raw:string' }, rec(deep));
add('MaskField$Value date, time, decimal, map', 'MaskField$Value', { fields: 'when,at,amount,meta,f' }, rec(deep));
add('MaskField$Value decimal replacement', 'MaskField$Value', { fields: 'amount', replacement: '-1.5' }, rec(deep));
add('ReplaceField$Value keeps complex fields', 'ReplaceField$Value', { include: 'items,meta', renames: 'items:lines' }, rec(deep));
add('ValueToKey complex fields', 'ValueToKey', { fields: 'items,when' }, rec(deep));
add('HeaderFrom$Value complex fields', 'HeaderFrom$Value', { fields: 'items,meta,amount', headers: 'i,m,a', operation: 'move' }, rec(deep));
add('HoistField$Value then deep struct', 'HoistField$Value', { field: 'outer' }, rec(deep));
add('ExtractField$Value V2 into array fails', 'ExtractField$Value', { field: 'items.sku', 'field.syntax.version': 'V2' }, rec(deep));
add('ExtractField$Value decimal', 'ExtractField$Value', { field: 'amount' }, rec(deep));
add('InsertField$Value into deep struct', 'InsertField$Value', { 'timestamp.field': 'ingested', 'partition.field': 'part!' }, rec(deep));
add('SetSchemaMetadata$Value keeps values', 'SetSchemaMetadata$Value', { 'schema.name': 'deep.Renamed', 'schema.version': '11' }, rec(deep));
add('TimestampConverter$Value Date field to string', 'TimestampConverter$Value', { field: 'when', 'target.type': 'string', format: 'dd/MM/yyyy' }, rec(deep));
add('TimestampConverter$Value Time field to unix', 'TimestampConverter$Value', { field: 'at', 'target.type': 'unix' }, rec(deep));
add('TimestampConverter$Value Date to Timestamp', 'TimestampConverter$Value', { field: 'when', 'target.type': 'Timestamp' }, rec(deep));
add('TimestampConverter$Value string with text month', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: 'dd MMM yyyy HH:mm' }, rec(J.schemaless({ s: '05 Mar 2024 17:45' })));
add('TimestampConverter$Value string to string reformat', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: "yyyy-MM-dd'T'HH:mm:ss" }, rec(J.schemaless({ s: '2024-03-05T17:45:01' })));
add('TimestampRouter with time pattern', 'TimestampRouter', { 'topic.format': '${topic}_${timestamp}', 'timestamp.format': 'yyyy-MM-dd_HH-mm-ss.SSS' }, rec(deep));
add('RegexRouter replacement with literal dollar', 'RegexRouter', { regex: '(ord)(ers)', replacement: '$2\\$$1' }, rec(deep));
add('RegexRouter multi-digit group reference', 'RegexRouter', { regex: '(o)(r)', replacement: '$2-$12-$0' }, rec(deep, { topic: 'or' }));
add('RegexRouter missing group', 'RegexRouter', { regex: '(o)r', replacement: '$2' }, rec(deep, { topic: 'or' }));
add('RegexRouter on dotted topic', 'RegexRouter', { regex: 'db\\.(\\w+)\\.(\\w+)', replacement: '$2' }, rec(deep, { topic: 'db.public.users' }));
add('DropHeaders keeps order of the rest', 'DropHeaders', { headers: 'b' }, rec(deep, { headers: [...hdrs, { key: 'c', value: J.env(J.bool(), true) }] }));
add('InsertHeader appends after existing', 'InsertHeader', { header: 'a', 'value.literal': '7' }, rec(deep, { headers: hdrs }));
add('Flatten$Value schemaless deep with arrays', 'Flatten$Value', {}, rec(J.schemaless({ a: { b: { c: [1, { d: 2 }] } }, e: 'x' })));
add('Cast$Value schemaless whole boolean to int8', 'Cast$Value', { spec: 'int8' }, rec(J.schemaless(true)));
add('Cast$Value schemaless whole string to float32', 'Cast$Value', { spec: 'float32' }, rec(J.schemaless('0.1')));
add('ReplaceField$Value schemaless include', 'ReplaceField$Value', { include: 'a,zz' }, rec(J.schemaless({ a: 1, b: 2 })));
add('HoistField$Key schemaless key', 'HoistField$Key', { field: 'id' }, rec(deep, { key: J.schemaless('k-1') }));

// ---- SimpleDateFormat behaviours of TimestampConverter and TimestampRouter
const tsField = (s: string): HarnessRecord => rec(J.schemaless({ s }));
add('SDF parse single-digit month/day', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: 'yyyy-MM-dd' }, tsField('2024-3-5'));
add('SDF parse SSSSSS as milliseconds', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: 'yyyy-MM-dd HH:mm:ss.SSSSSS' }, tsField('2024-03-05 10:00:00.123456'));
add('SDF parse trailing text ignored', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: 'yyyy-MM-dd' }, tsField('2024-03-05T10:00:00'));
add('SDF parse lenient overflow', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: 'yyyy-MM-dd' }, tsField('2024-13-40'));
add('SDF parse with zone offset', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: "yyyy-MM-dd'T'HH:mm:ssXXX" }, tsField('2024-03-05T10:00:00+02:00'));
add('SDF parse text month and am/pm', 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: 'MMM d, yyyy h:mm a' }, tsField('Mar 5, 2024 3:07 PM'));
add('SDF format S as millis', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: 'HH:mm:ss.S' }, rec(J.schemaless({ s: 1700000000005 })));
add('SDF format day names and zone', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: 'EEE, d MMM yyyy HH:mm:ss Z' }, rec(J.schemaless({ s: 1700000000005 })));
add('SDF format u is day of week', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: 'u' }, rec(J.schemaless({ s: 1700000000005 })));
add('SDF format quoted text and week year', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: "'week' ww 'of' YYYY, D" }, rec(J.schemaless({ s: 1700000000005 })));
add('TimestampRouter S pattern', 'TimestampRouter', { 'timestamp.format': 'yyyyMMdd-S' }, rec(person, { timestamp: 1700000000005 }));
for (const [i, fmt] of ["yy-M-d H:m:s", "EEEE, MMMM dd, yyyy 'at' hh:mm a z", "D F W w k K", "yyyyMMddHHmmssSSS", "zzzz XXX X Z G", "dd.MM.yyyy kk:mm"].entries()) {
  add(`SDF format ${i} ${fmt}`, 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: fmt }, rec(J.schemaless({ s: 1704070861001 })));
}
for (const [i, [fmt, text]] of [
  ['yy-MM-dd', '99-01-02'],
  ['yy-MM-dd', '24-01-02'],
  ['yyyyMMddHHmmss', '20240305101112'],
  ['dd/MM/yyyy hh:mm a', '05/03/2024 12:15 AM'],
  ['dd/MM/yyyy hh:mm a', '05/03/2024 12:15 pm'],
  ['yyyy-MM-dd HH:mm Z', '2024-03-05 10:00 -0130'],
  ['EEE MMM dd HH:mm:ss zzz yyyy', 'Tue Mar 05 10:00:00 UTC 2024'],
  ['yyyy-MM-dd', 'garbage'],
  ['HH:mm', '25:61'],
  ['yyyy-DDD', '2024-060'],
].entries()) {
  add(`SDF parse ${i} ${fmt} ${text}`, 'TimestampConverter$Value', { field: 's', 'target.type': 'unix', format: fmt }, tsField(text));
}
add('SDF bad pattern letter', 'TimestampConverter$Value', { field: 's', 'target.type': 'string', format: 'yyyy-bb' }, tsField('x'), { messageDiffers: 'pattern error wording' });

describeAgainstKafka('SMTs agree with Kafka Connect 4.1', cases);
