/** Creates a topic once, however many tasks ask at the same time (all wait for the same creation). */
import { LogError } from '../../common/errors.js';
import type { CreateTopicOptions, Log } from '../../log/log.js';

const pending = new WeakMap<Log, Map<string, Promise<void>>>();

export function ensureTopic(log: Log, topic: string, options: CreateTopicOptions): Promise<void> {
  let byTopic = pending.get(log);
  if (!byTopic) pending.set(log, (byTopic = new Map()));
  let p = byTopic.get(topic);
  if (!p) {
    p = log.createTopic(topic, options).catch((e: unknown) => {
      if (!(e instanceof LogError && e.code === 'TOPIC_EXISTS')) {
        byTopic.delete(topic);
        throw e;
      }
    });
    byTopic.set(topic, p);
  }
  return p;
}
