/**
 * Converters against Kafka's own: the bytes Sluice writes for Connect data must be Kafka's bytes
 * (compared exactly), and what Sluice reads from bytes must be the schema and value Kafka reads.
 */
import { describeAgainstKafka, J } from '../java-harness/against-kafka.js';
import type { HarnessCase } from '../java-harness/harness-case.js';

const JSON_C = 'org.apache.kafka.connect.json.JsonConverter';
const STRING_C = 'org.apache.kafka.connect.storage.StringConverter';
const BYTES_C = 'org.apache.kafka.connect.converters.ByteArrayConverter';
const C = 'org.apache.kafka.connect.converters.';

let n = 0;
const cases: HarnessCase[] = [];
const id = (s: string): string => `${String(++n).padStart(3, '0')} ${s}`;
function from(name: string, cls: string, config: Record<string, string>, data: unknown, extra: Partial<HarnessCase> = {}): void {
  cases.push({ id: id(`${name} (fromConnect)`), kind: 'converter', class: cls, config, op: 'fromConnect', data, ...extra } as HarnessCase);
}
function to(name: string, cls: string, config: Record<string, string>, bytes: string | Buffer | null, extra: Partial<HarnessCase> = {}): void {
  const b = bytes === null ? null : (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8')).toString('base64');
  cases.push({ id: id(`${name} (toConnect)`), kind: 'converter', class: cls, config, op: 'toConnect', bytes: b, ...extra } as HarnessCase);
}

const all = J.struct({
  i8: J.int8(),
  i16: J.int16(),
  i32: J.int32(),
  i64: J.int64(),
  f32: J.float32(),
  f64: J.float64(),
  b: J.bool(),
  s: J.string(),
  by: J.bytes(),
  arr: J.array(J.int32()),
  m: J.map(J.string(), J.int64()),
  mi: J.map(J.int32(), J.string()),
  opt: J.string(true),
  nested: J.struct({ x: J.float64(true) }, { optional: true, name: 'N', doc: 'nested doc', version: 4, parameters: { p: 'q' } }),
}, { name: 'com.example.All', version: 1 });
const allData = J.env(all, { i8: -5, i16: 300, i32: 70000, i64: '9007199254740993' as unknown, f32: 1.5, f64: 0.1, b: true, s: 'hé "q"\n', by: 'AAEC/w==', arr: [1, 2, 3], m: { a: 1 }, mi: [[1, 'one'], [2, 'two']], opt: null, nested: { x: 1e21 } });
// i64 as text keeps its digits exactly
const allText = `{"schema":${JSON.stringify(all)},"payload":{"i8":-5,"i16":300,"i32":70000,"i64":9007199254740993,"f32":1.5,"f64":0.1,"b":true,"s":"hé \\"q\\"\\n","by":"AAEC/w==","arr":[1,2,3],"m":{"a":1},"mi":[[1,"one"],[2,"two"]],"opt":null,"nested":{"x":1e21}}}`;
void allData;
const logical = J.struct({ d: J.decimal(2), dt: J.date(), t: J.time(), ts: J.timestamp(), dn: J.decimal(3, true) });
const logicalText = `{"schema":${JSON.stringify(logical)},"payload":{"d":"MDk=","dt":19000,"t":45296789,"ts":1700000000123,"dn":null}}`;
const defaults = J.struct({ a: { type: 'int32', optional: true, default: 7 }, s: { type: 'string', optional: false, default: 'dflt' }, d: { ...J.decimal(1, true), default: 'AQ==' } });
const defaultsText = `{"schema":${JSON.stringify(defaults)},"payload":{"a":null,"s":null,"d":null}}`;

// ---- JsonConverter: Connect data -> bytes
from('json all types with schemas', JSON_C, {}, allText);
from('json all types without schemas', JSON_C, { 'schemas.enable': 'false' }, allText);
from('json logical types BASE64', JSON_C, {}, logicalText);
from('json logical types NUMERIC', JSON_C, { 'decimal.format': 'numeric' }, logicalText);
from('json defaults replaced', JSON_C, {}, defaultsText);
from('json defaults kept null', JSON_C, { 'replace.null.with.default': 'false' }, defaultsText);
from('json primitive int64', JSON_C, {}, J.env(J.int64(), 12));
from('json floats', JSON_C, {}, J.env(J.array(J.float32()), [1, 0.1, 1e10, -2.5e-5, 3.4e38]));
from('json doubles', JSON_C, {}, J.env(J.array(J.float64()), [1, 0.1, 1e7, 1e-3, 1e-4, 123456789.125, -0.0]));
from('json schemaless map', JSON_C, {}, J.schemaless({ a: [1, 'x', null, true], b: { c: 2.5 } }));
from('json schemaless without envelope', JSON_C, { 'schemas.enable': 'false' }, J.schemaless({ a: 1 }));
from('json null with schema', JSON_C, {}, J.env(J.string(true), null));
from('json null with schema no envelope', JSON_C, { 'schemas.enable': 'false' }, J.env(J.string(true), null));
from('json tombstone', JSON_C, {}, null);
from('json decimal numeric big', JSON_C, { 'decimal.format': 'NUMERIC' }, `{"schema":${JSON.stringify(J.decimal(5))},"payload":"${Buffer.from('0123456789abcdef', 'hex').toString('base64')}"}`);
from('json decimal numeric small', JSON_C, { 'decimal.format': 'NUMERIC' }, `{"schema":${JSON.stringify(J.decimal(9))},"payload":"AQ=="}`);
from('json decimal negative base64', JSON_C, {}, `{"schema":${JSON.stringify(J.decimal(2))},"payload":"/w=="}`);
from('json date before epoch', JSON_C, {}, J.env(J.date(), -3));
from('json key converter', JSON_C, {}, J.env(J.string(), 'k'), { isKey: true } as Partial<HarnessCase>);
from('json bad decimal.format config', JSON_C, { 'decimal.format': 'HEX' }, J.env(J.string(), 'x'));
from('json bad schemas.enable config', JSON_C, { 'schemas.enable': 'maybe' }, J.env(J.string(), 'x'));

// ---- JsonConverter: bytes -> Connect data
to('json envelope struct', JSON_C, {}, allText);
to('json envelope logical', JSON_C, {}, logicalText);
to('json envelope decimal as number', JSON_C, {}, `{"schema":${JSON.stringify(J.decimal(2))},"payload":12.34}`);
to('json envelope decimal as number other scale', JSON_C, { 'decimal.format': 'NUMERIC' }, `{"schema":${JSON.stringify(J.decimal(2))},"payload":1.5}`, { decimalFormat: 'NUMERIC' } as Partial<HarnessCase>);
to('json envelope decimal bad base64', JSON_C, {}, `{"schema":${JSON.stringify(J.decimal(2))},"payload":"@@@"}`);
to('json envelope decimal wrong node', JSON_C, {}, `{"schema":${JSON.stringify(J.decimal(2))},"payload":true}`);
to('json envelope defaults', JSON_C, {}, defaultsText);
to('json envelope defaults not replaced', JSON_C, { 'replace.null.with.default': 'false' }, defaultsText);
to('json envelope required null', JSON_C, {}, `{"schema":{"type":"int32","optional":false},"payload":null}`);
to('json envelope struct missing field', JSON_C, {}, `{"schema":${JSON.stringify(J.struct({ a: J.int32() }))},"payload":{}}`);
to('json envelope lenient int from string', JSON_C, {}, `{"schema":${JSON.stringify(J.struct({ a: J.int32(), b: J.bool(), c: J.int8() }))},"payload":{"a":"x","b":1,"c":300}}`);
to('json envelope lenient string from number', JSON_C, {}, `{"schema":${JSON.stringify(J.struct({ s: J.string(true) }))},"payload":{"s":5}}`);
to('json envelope int from double', JSON_C, {}, `{"schema":{"type":"int64","optional":false},"payload":12.9}`);
to('json envelope date not int', JSON_C, {}, `{"schema":${JSON.stringify(J.date())},"payload":"2020-01-01"}`);
to('json envelope timestamp not integral', JSON_C, {}, `{"schema":${JSON.stringify(J.timestamp())},"payload":1.5}`);
to('json envelope time out of range', JSON_C, {}, `{"schema":${JSON.stringify(J.time())},"payload":90000000}`);
to('json envelope map with int keys', JSON_C, {}, `{"schema":${JSON.stringify(J.map(J.int32(), J.string()))},"payload":[[1,"a"],[2,"b"]]}`);
to('json envelope map int keys as object', JSON_C, {}, `{"schema":${JSON.stringify(J.map(J.int32(), J.string()))},"payload":{"1":"a"}}`);
to('json envelope map bad tuple', JSON_C, {}, `{"schema":${JSON.stringify(J.map(J.int32(), J.string()))},"payload":[[1,"a",3]]}`);
to('json envelope struct from array', JSON_C, {}, `{"schema":${JSON.stringify(J.struct({ a: J.int32() }))},"payload":[1]}`);
to('json envelope unknown type', JSON_C, {}, `{"schema":{"type":"uuid"},"payload":1}`);
to('json envelope no type', JSON_C, {}, `{"schema":{"optional":true},"payload":1}`);
to('json envelope field without name', JSON_C, {}, `{"schema":{"type":"struct","fields":[{"type":"int32"}]},"payload":{}}`);
to('json envelope fields not array', JSON_C, {}, `{"schema":{"type":"struct","fields":{}},"payload":{}}`);
to('json envelope array without items', JSON_C, {}, `{"schema":{"type":"array"},"payload":[]}`);
to('json envelope map without values', JSON_C, {}, `{"schema":{"type":"map","keys":{"type":"string"}},"payload":{}}`);
to('json envelope parameters not strings', JSON_C, {}, `{"schema":{"type":"string","parameters":{"a":1}},"payload":"x"}`);
to('json envelope version and doc', JSON_C, {}, `{"schema":{"type":"string","optional":true,"name":"n","version":3,"doc":"d","parameters":{"k":"v"}},"payload":"x"}`);
to('json envelope extra field', JSON_C, {}, `{"schema":null,"payload":1,"x":2}`);
to('json envelope missing', JSON_C, {}, `{"a":1}`);
to('json not an envelope (array)', JSON_C, {}, `[1,2]`);
to('json malformed', JSON_C, {}, `{"schema":`, { messageDiffers: "Jackson's parse error text" } as Partial<HarnessCase>);
// (a schemaless 1.0 reads back as 1 in Sluice: schemaless numbers do not keep Double vs Long)
to('json schemaless plain', JSON_C, { 'schemas.enable': 'false' }, `{"a":1,"b":[1.5,"x",null,true],"c":{"d":12345678901234567890},"e":1.25}`);
to('json schemaless scalar', JSON_C, { 'schemas.enable': 'false' }, `"text"`);
to('json schemaless big integer', JSON_C, { 'schemas.enable': 'false' }, `123456789012345678`);
to('json tombstone', JSON_C, {}, null);
to('json schemaless null', JSON_C, { 'schemas.enable': 'false' }, `null`);

// ---- StringConverter
from('string string', STRING_C, {}, J.env(J.string(), 'héllo'));
from('string int', STRING_C, {}, J.env(J.int32(), 42));
from('string double', STRING_C, {}, J.env(J.float64(), 2));
from('string boolean', STRING_C, {}, J.env(J.bool(), true));
from('string struct', STRING_C, {}, J.env(J.struct({ a: J.int32(), b: J.string(true), c: J.string(true) }), { a: 1, b: 'x', c: null }));
from('string null', STRING_C, {}, null);
from('string array', STRING_C, {}, J.env(J.array(J.string()), ['a', 'b']));
from('string nested struct', STRING_C, {}, J.env(J.struct({ a: J.array(J.int32()), s: J.struct({ x: J.float64() }), m: J.map(J.string(), J.int32()) }), { a: [1, 2], s: { x: 1.5 }, m: { k: 1 } }));
from('string timestamp', STRING_C, {}, J.env(J.timestamp(), 1700000000123));
// (BYTES through StringConverter: Kafka writes the array's identity, "[B@7ea37dbf"; Sluice writes the bytes)
from('string float', STRING_C, {}, J.env(J.float32(), 0.1));
from('string decimal', STRING_C, {}, `{"schema":${JSON.stringify(J.decimal(2))},"payload":"MDk="}`);
from('string latin1', STRING_C, { 'converter.encoding': 'ISO-8859-1' }, J.env(J.string(), 'héllo'));
from('string utf-16be', STRING_C, { 'converter.encoding': 'UTF-16BE' }, J.env(J.string(), 'hé'));
to('string utf8', STRING_C, {}, 'héllo');
to('string latin1', STRING_C, { 'converter.encoding': 'ISO-8859-1' }, Buffer.from([0x68, 0xe9]));
to('string utf-16le', STRING_C, { 'converter.encoding': 'UTF-16LE' }, Buffer.from('hé', 'utf16le'));
to('string null', STRING_C, {}, null);

// ---- ByteArrayConverter
from('bytes bytes', BYTES_C, {}, J.env(J.bytes(), 'AAEC'));
from('bytes optional null', BYTES_C, {}, J.env(J.bytes(true), null));
from('bytes wrong schema', BYTES_C, {}, J.env(J.string(), 'x'));
from('bytes schemaless string', BYTES_C, {}, J.schemaless('x'));
to('bytes', BYTES_C, {}, Buffer.from([0, 1, 255]));
to('bytes null', BYTES_C, {}, null);

// ---- Boolean and number converters
from('boolean true', C + 'BooleanConverter', {}, J.env(J.bool(), true));
from('boolean wrong schema', C + 'BooleanConverter', {}, J.env(J.int32(), 1));
from('boolean schemaless string', C + 'BooleanConverter', {}, J.schemaless('true'));
to('boolean false', C + 'BooleanConverter', {}, Buffer.from([0]));
to('boolean bad byte', C + 'BooleanConverter', {}, Buffer.from([2]));
to('boolean too long', C + 'BooleanConverter', {}, Buffer.from([1, 1]));
from('integer', C + 'IntegerConverter', {}, J.env(J.int32(), -123456));
from('integer from long fails', C + 'IntegerConverter', {}, J.env(J.int64(), 5));
from('integer from string fails', C + 'IntegerConverter', {}, J.env(J.string(), '5'));
to('integer', C + 'IntegerConverter', {}, Buffer.from([0xff, 0xff, 0xff, 0xfe]));
to('integer wrong size', C + 'IntegerConverter', {}, Buffer.from([1, 2]));
from('long', C + 'LongConverter', {}, `{"schema":{"type":"int64","optional":false},"payload":-9223372036854775808}`);
to('long', C + 'LongConverter', {}, Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
from('short', C + 'ShortConverter', {}, J.env(J.int16(), -2));
to('short', C + 'ShortConverter', {}, Buffer.from([0x80, 0x00]));
from('float', C + 'FloatConverter', {}, J.env(J.float32(), 0.1));
to('float', C + 'FloatConverter', {}, Buffer.from([0x3f, 0xc0, 0, 0]));
from('double', C + 'DoubleConverter', {}, J.env(J.float64(), -1.25e-300));
to('double', C + 'DoubleConverter', {}, Buffer.from([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]));
to('double null', C + 'DoubleConverter', {}, null);

describeAgainstKafka('converters agree with Kafka Connect 4.1', cases);

// ---- header converters: SimpleHeaderConverter and JsonConverter as header.converter
const SIMPLE = 'org.apache.kafka.connect.storage.SimpleHeaderConverter';
const headerCases: HarnessCase[] = [];
let h = 0;
function hfrom(name: string, cls: string, data: unknown, config: Record<string, string> = {}): void {
  headerCases.push({ id: `${String(++h).padStart(3, '0')} header ${name} (fromConnect)`, kind: 'headerConverter', class: cls, config, op: 'fromConnect', data });
}
function hto(name: string, cls: string, text: string | null, config: Record<string, string> = {}): void {
  headerCases.push({ id: `${String(++h).padStart(3, '0')} header ${name} (toConnect)`, kind: 'headerConverter', class: cls, config, op: 'toConnect', bytes: text === null ? null : Buffer.from(text, 'utf8').toString('base64') });
}
hfrom('simple string', SIMPLE, J.env(J.string(), 'a "b" \\c'));
hfrom('simple int', SIMPLE, J.env(J.int32(), -4));
hfrom('simple double', SIMPLE, J.env(J.float64(), 2));
hfrom('simple float', SIMPLE, J.env(J.float32(), 0.1));
hfrom('simple boolean', SIMPLE, J.env(J.bool(), false));
hfrom('simple bytes', SIMPLE, J.env(J.bytes(), 'AAE='));
hfrom('simple array', SIMPLE, J.env(J.array(J.string(true)), ['x', null, 'y"z']));
hfrom('simple struct', SIMPLE, J.env(J.struct({ a: J.int32(), b: J.string(true), c: J.array(J.int64()) }), { a: 1, b: 'q', c: [1, 2] }));
hfrom('simple timestamp', SIMPLE, J.env(J.timestamp(), 1700000000123));
hfrom('simple date', SIMPLE, J.env(J.date(), 19000));
hfrom('simple time', SIMPLE, J.env(J.time(), 3723004));
hfrom('simple decimal', SIMPLE, `{"schema":${JSON.stringify(J.decimal(2))},"payload":"MDk="}`);
hfrom('simple null', SIMPLE, J.env(J.string(true), null));
// ('{}' is left out: it parses to a MAP schema without key or value schema, which Kafka's own
// JsonConverter, the harness's renderer, fails on with a NullPointerException)
for (const text of [
  'hello', '42', '-40000', '4000000000', '1.5', 'true', 'false', 'null', '2024-03-01', '11:22:33.444Z', '2024-03-01T11:22:33.444Z', '',
  '  spaced  ', 'TRUE', 'true}', '12,13', '12abc', '1e2', '-0.5', '1e20', '1.5e300', '.5', '+7',
  '[1,2,3]', '[1,300,70000]', '[1,2.5]', '[1,"a"]', '["x","y"]', '[]', '[null]', '[1,null]', '[true,false]', '[1,,2]', '[1,2',
  '{"a":1,"b":2}', '{"a":"x","b":null}', '{1:"one",2:"two"}', '{"a":[1,2],"b":[3]}', '{"a":1,}', '{"a"}', '{null:1}',
  '[2024-03-01,2024-03-02]', '["2024-03-01"]', '{"t":11:22:33.444Z}', 'a\\,b', '[[1,2],[3]]', '[{"a":1},{"a":2}]',
]) hto(`simple ${JSON.stringify(text)}`, SIMPLE, text);
hto('simple null bytes', SIMPLE, null);
hfrom('json header', JSON_C, J.env(J.int32(), 5));
hto('json header', JSON_C, '{"schema":{"type":"string","optional":false},"payload":"v"}');
hfrom('string header', STRING_C, J.env(J.int64(), 77));
describeAgainstKafka('header converters agree with Kafka Connect 4.1', headerCases);
