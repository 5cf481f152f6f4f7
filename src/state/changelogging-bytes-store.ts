/** Sends the latest change of every key to a compacted changelog topic, so a store can be rebuilt anywhere. */
import type { BytesStore, StoreWriteBatch } from './state-store.js';

export class ChangeloggingBytesStore implements BytesStore {
  private readonly changes = new Map<string, { key: Buffer; value: Buffer | null }>();

  constructor(
    private readonly inner: BytesStore,
    readonly changelogTopic: string,
    /** the task's partition of the changelog (Kafka Streams: changelog partition = task partition) */
    readonly changelogPartition = 0,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get(key: Buffer, text?: string): Buffer | undefined | Promise<Buffer | undefined> {
    return this.inner.get(key, text);
  }

  put(key: Buffer, value: Buffer | null, text = key.toString('latin1')): void {
    this.inner.put(key, value, text);
    this.changes.set(text, { key, value });
  }

  write(batch: StoreWriteBatch, key: Buffer, value: Buffer | null, text: string): void {
    if (this.changes.size) this.changes.delete(text);
    batch.produce.push({ topic: this.changelogTopic, partition: this.changelogPartition, key, value });
    this.inner.write(batch, key, value, text);
  }

  flush(batch: StoreWriteBatch): void {
    for (const { key, value } of this.changes.values()) batch.produce.push({ topic: this.changelogTopic, partition: this.changelogPartition, key, value });
    this.changes.clear();
    this.inner.flush(batch);
  }
}
