/**
 * Connect's group protocol as Sluice's workers speak it (src/connect/runtime/connect-protocol.ts):
 * the member metadata and the leader's assignment decode in Kafka Connect's own ConnectProtocol
 * (run by test/connect/distributed-protocol.java) to the values Sluice encoded, and what Connect
 * encodes decodes in Sluice to the same values; the leader's round-robin deals work out as
 * Connect's EagerAssignor does.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assignRoundRobin, decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata, type ConnectAssignment } from '../../src/connect/runtime/connect-protocol.js';
import { KAFKA_VERSION, prepareKafkaHarness } from './java-harness/kafka-harness.js';
import { repoRoot } from '../support/repo-root.js';

const JARS = process.env['SLUICE_CONNECT_JARS'] ?? join(homedir(), '.cache', 'sluice', `connect-${KAFKA_VERSION}`);

const assignment: ConnectAssignment = {
  error: 0,
  leader: 'connect-1-5b2c2d1e-7a4e-4c43-9a8f-2f0e0f6d7c11',
  leaderUrl: 'http://127.0.0.1:8083/',
  configOffset: 42n,
  connectors: ['gen', 'to_pg'],
  tasks: [
    { connector: 'gen', task: 1 },
    { connector: 'to_pg', task: 0 },
    { connector: 'zzz', task: 3 },
  ],
};

describe("Connect's group protocol against Kafka Connect's ConnectProtocol", { skip: prepareKafkaHarness() ?? undefined }, () => {
  it('decodes the same in both, both ways', () => {
    const meta = encodeMetadata({ url: 'http://worker-a:8083/', configOffset: 1234567890123n });
    const run = spawnSync('java', ['-cp', `${JARS}/*`, join(repoRoot(), 'test', 'connect', 'distributed-protocol.java'), meta.toString('hex'), encodeAssignment(assignment).toString('hex')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const [javaMeta, javaAssignment, metaFromJava, assignmentFromJava] = run.stdout.trim().split('\n');
    // what Sluice wrote, as Connect reads it
    assert.equal(javaMeta, 'http://worker-a:8083/|1234567890123');
    assert.equal(javaAssignment, '0|connect-1-5b2c2d1e-7a4e-4c43-9a8f-2f0e0f6d7c11|http://127.0.0.1:8083/|42|gen,to_pg|gen-1,to_pg-0,zzz-3');
    // what Connect wrote, as Sluice reads it (Connect's byte order of connectors may differ)
    assert.deepEqual(decodeMetadata(Buffer.from(metaFromJava!, 'hex')), { url: 'http://worker-a:8083/', configOffset: 1234567890123n });
    assert.equal(Buffer.from(metaFromJava!, 'hex').toString('hex'), meta.toString('hex'), 'the metadata bytes are the same');
    const back = decodeAssignment(Buffer.from(assignmentFromJava!, 'hex'));
    const byName = <T extends { connector: string; task: number }>(xs: readonly T[]) => [...xs].sort((a, b) => `${a.connector}-${a.task}`.localeCompare(`${b.connector}-${b.task}`));
    assert.deepEqual({ ...back, connectors: [...back.connectors].sort(), tasks: byName(back.tasks) }, { ...assignment, tasks: byName(assignment.tasks) });
  });
});

describe("the leader's round-robin (Connect's EagerAssignor)", () => {
  const tasks = (spec: Record<string, number>) => Object.entries(spec).flatMap(([connector, n]) => Array.from({ length: n }, (_, task) => ({ connector, task })));
  const flat = (plan: ReturnType<typeof assignRoundRobin>) => Object.fromEntries([...plan].map(([m, p]) => [m, [...p.connectors, ...p.tasks.map((t) => `${t.connector}-${t.task}`)]]));

  it('deals connectors in name order, then tasks, one each in turn over members sorted by id, the turn going on from the connectors', () => {
    const plan = assignRoundRobin(['m-b', 'm-a'], ['to_pg', 'gen'], tasks({ to_pg: 2, gen: 2 }));
    assert.deepEqual(flat(plan), { 'm-a': ['gen', 'gen-0', 'to_pg-0'], 'm-b': ['to_pg', 'gen-1', 'to_pg-1'] });
  });

  it('gives a lone member everything, a third member a share, and no member nothing to deal', () => {
    assert.deepEqual(flat(assignRoundRobin(['m'], ['c'], tasks({ c: 3 }))), { m: ['c', 'c-0', 'c-1', 'c-2'] });
    assert.deepEqual(flat(assignRoundRobin(['m1', 'm2', 'm3'], ['c'], tasks({ c: 2 }))), { m1: ['c'], m2: ['c-0'], m3: ['c-1'] });
    assert.deepEqual(flat(assignRoundRobin(['m1', 'm2'], [], [])), { m1: [], m2: [] });
    assert.equal(assignRoundRobin([], ['c'], tasks({ c: 1 })).size, 0);
  });

  it('assigns every task exactly once whatever the members', () => {
    for (let members = 1; members <= 5; members++) {
      const ids = Array.from({ length: members }, (_, i) => `member-${(i * 7) % members}`);
      const plan = assignRoundRobin(ids, ['a', 'b', 'c'], tasks({ a: 4, b: 1, c: 3 }));
      const all = Object.values(flat(plan)).flat().sort();
      assert.deepEqual(all, ['a', 'a-0', 'a-1', 'a-2', 'a-3', 'b', 'b-0', 'c', 'c-0', 'c-1', 'c-2'].sort());
      const sizes = [...plan.values()].map((p) => p.connectors.length + p.tasks.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced over ${members}: ${sizes}`);
    }
  });
});
