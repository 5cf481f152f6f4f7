// A program using the installed package: a push query consumed while rows are inserted, then a pull query
// answering a range over a windowed table. Copied into a fresh folder by packed-install.test.ts.
import { Engine } from 'sluice';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const engine = await Engine.open({ dataDir: mkdtempSync(join(tmpdir(), 'pk-')), properties: { 'auto.offset.reset': 'earliest' } });
await engine.execute(`CREATE STREAM clicks (id BIGINT KEY, url STRING) WITH (KAFKA_TOPIC='clicks', PARTITIONS=1, VALUE_FORMAT='JSON');
CREATE TABLE per_url AS SELECT url, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY url;`);
const q = await engine.query("SELECT id, url FROM clicks WHERE url LIKE 'https:%' EMIT CHANGES LIMIT 2;");
const rows = [];
const reading = (async () => { for await (const r of q) rows.push(r); })();
await engine.insert('clicks', [{ id: 1n, url: 'http://a', ROWTIME: 1 }, { id: 2n, url: 'https://b', ROWTIME: 2 }, { id: 3n, url: 'https://b', ROWTIME: 70000 }]);
await reading;
await engine.runUntilIdle();
const pulled = await engine.pull("SELECT * FROM per_url WHERE url = 'https://b' AND WINDOWSTART >= 0 AND WINDOWSTART < 120000;");
console.log(JSON.stringify({ rows, pulled: pulled.rows }, (k, v) => typeof v === 'bigint' ? v.toString() : v));
await engine.close();
