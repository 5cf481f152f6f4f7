/**
 * The console's rates and bottleneck: a real engine whose filter calls a deliberately slow
 * function. The filter is named the slow operator (not the source that waits on it, nor the sink),
 * and rates and lag history come from the engine's own counts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine, createBuiltinRegistry, paramType as p } from '../../src/index.js';
import { ConsoleHistory } from '../../src/server/console-history.js';
import { tempDir } from '../support/temp-dir.js';

test('the busiest operator of a lagging query is its bottleneck; rates follow the records counted', { timeout: 120_000 }, async () => {
  const dir = await tempDir('sluice-history-');
  const registry = createBuiltinRegistry({});
  registry.registerScalar({
    name: 'SLOW_EVEN',
    category: 'TEST',
    description: 'true for an even number, after spinning for 2 ms',
    overloads: [
      {
        params: [p('INT')],
        returns: p('BOOLEAN'),
        bind: () => (x: number | null) => {
          const until = performance.now() + 2;
          while (performance.now() < until);
          return x === null ? null : x % 2 === 0;
        },
      },
    ],
  });
  const engine = await Engine.open({ dataDir: join(dir.path, 'data'), registry, properties: { 'auto.offset.reset': 'earliest' } });
  const history = new ConsoleHistory(engine, 200);
  try {
    await engine.execute(`CREATE STREAM nums (id INT KEY, v INT) WITH (kafka_topic='nums', partitions=1, value_format='JSON');
      CREATE STREAM evens AS SELECT id, v FROM nums WHERE SLOW_EVEN(v) EMIT CHANGES;`);
    const queryId = [...engine.catalog.queries.keys()][0]!;
    await engine.insert('nums', Array.from({ length: 3000 }, (_, i) => ({ id: i, v: i })));
    engine.start();
    await history.ensureStarted();
    // about 6 s of work at 2 ms a record (a step of 1000 records holds the loop 2 s): sample while it runs
    const end = Date.now() + 30_000;
    while (history.lag(queryId).at(0)?.history.length !== 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const rates = history.rates(queryId)!;
    const slow = rates.operators.filter((o) => o.bottleneck);
    assert.equal(slow.length, 1, JSON.stringify(rates.operators));
    assert.equal(slow[0]!.kind, 'StreamFilter');
    assert.ok(slow[0]!.busy > 0.5, `filter busy ${slow[0]!.busy}`);
    const source = rates.operators.find((o) => o.kind === 'StreamSource')!;
    assert.ok(source.busy < slow[0]!.busy / 4, `the source waits on the filter: busy ${source.busy}`);
    // roughly 500 records a second at 2 ms each (wide bounds: a shared machine)
    assert.ok(rates.inPerSecond > 50 && rates.inPerSecond < 600, `in ${rates.inPerSecond}/s`);
    assert.ok(rates.lag > 0);
    const lag = history.lag(queryId);
    assert.equal(lag.length, 1);
    assert.ok(lag[0]!.history.length >= 3);
    // the lag shrinks as the query works through the backlog
    assert.ok(lag[0]!.history.at(-1)! < Math.max(...lag[0]!.history), lag[0]!.history.join(","));
    await engine.runUntilIdle();
    const counted = (await engine.metrics()).queries[0]!;
    assert.equal(counted.recordsIn, 3000);
    assert.equal(counted.recordsOut, 1500);
  } finally {
    history.stop();
    await engine.close();
    await dir.cleanup();
  }
});
