/** Sluice's task assignor for a query's consumer group (no broker needed: the leader's pure functions). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignStandbys, assignTasks } from '../../../src/log/kafka/index.js';

const tasks = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];
const member = (memberId: string, owned: string[] = [], standbys: string[] = []) => ({ memberId, data: { tasks, owned, standbys } });
const sorted = (xs: readonly string[]) => [...xs].sort();

describe('task assignor', () => {
  it('gives every task to exactly one member, balanced', () => {
    const plan = assignTasks([member('a'), member('b'), member('c')]);
    const all = [...plan.values()].flat();
    assert.deepEqual(sorted(all), sorted(tasks));
    assert.deepEqual([...plan.values()].map((t) => t.length).sort(), [2, 3, 3]);
  });

  it('is sticky: a joining member takes tasks from the others without reshuffling the rest', () => {
    const before = assignTasks([member('a'), member('b')]);
    const a = before.get('a')!;
    const b = before.get('b')!;
    const after = assignTasks([member('a', a), member('b', b), member('c')]);
    // a and b keep all but what c needs (8 tasks over 3: at most 3 each)
    for (const [id, was] of [['a', a], ['b', b]] as const) {
      const now = after.get(id)!;
      assert.ok(now.length <= 3);
      assert.ok(now.every((t) => was.includes(t)), `${id} got a task it did not have`);
    }
    assert.equal(after.get('c')!.length, 8 - after.get('a')!.length - after.get('b')!.length);
  });

  it('gives a departed member\'s tasks to the survivors', () => {
    const plan = assignTasks([member('b', ['0_1', '1_1']), member('c', ['0_2', '1_2'])]);
    assert.deepEqual(sorted([...plan.values()].flat()), sorted(tasks));
    assert.ok(plan.get('b')!.includes('0_1') && plan.get('c')!.includes('0_2'));
  });

  it('a member that knows no tasks (not Sluice) gets none beyond its share of what the others know', () => {
    const plan = assignTasks([member('a'), { memberId: 'x', data: { tasks: [], owned: [] } }]);
    assert.deepEqual(sorted([...plan.values()].flat()), sorted(tasks));
  });

  it('places standbys on members other than the active owner, preferring warm ones', () => {
    const members = [member('a'), member('b', [], ['0_0', '1_0']), member('c')];
    const active = assignTasks(members);
    const standbys = assignStandbys(members, active, 1);
    for (const t of tasks) {
      const owners = [...standbys].filter(([, ts]) => ts.includes(t)).map(([id]) => id);
      assert.equal(owners.length, 1, `${t}: ${owners}`);
      assert.ok(!active.get(owners[0]!)!.includes(t), `${t}'s standby is its active owner`);
    }
    for (const t of ['0_0', '1_0']) if (!active.get('b')!.includes(t)) assert.ok(standbys.get('b')!.includes(t), `${t} did not stay warm on b`);
    // two replicas on three members: each task on both other members; none with one member
    const two = assignStandbys(members, active, 2);
    for (const t of tasks) assert.equal([...two.values()].filter((ts) => ts.includes(t)).length, 2);
    assert.deepEqual([...assignStandbys([member('a')], assignTasks([member('a')]), 1).values()].flat(), []);
  });
});
