/**
 * The embedded schema registry: registrations live in memory for the serdes (which need them
 * synchronously) and are made durable in the `_schemas` topic, as Confluent's registry does.
 * New registrations are handed out as records to append, so the task that registered a schema
 * commits it in the same transaction as the records written with it.
 */
import type { Log, ProduceRecord } from '../log/log.js';
import { LogError } from '../common/errors.js';
import { InMemorySchemaRegistry } from '../serde/index.js';
import type { RegisteredSchema, RegisteredSchemaType } from '../serde/index.js';

export const SCHEMAS_TOPIC = '_schemas';

export class LoggedSchemaRegistry extends InMemorySchemaRegistry {
  private pending: RegisteredSchema[] = [];

  static async open(log: Log): Promise<LoggedSchemaRegistry> {
    try {
      await log.describeTopic(SCHEMAS_TOPIC);
    } catch (e) {
      if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
      await log.createTopic(SCHEMAS_TOPIC, { partitions: 1, config: { 'retention.ms': -1, 'retention.bytes': -1 } });
    }
    const loaded: RegisteredSchema[] = [];
    let offset = await log.earliestOffset(SCHEMAS_TOPIC, 0);
    for (;;) {
      const batch = await log.fetch(SCHEMAS_TOPIC, 0, offset, { maxRecords: 10_000 });
      for (const r of batch.records) if (r.value) loaded.push(JSON.parse(r.value.toString('utf8')) as RegisteredSchema);
      if (batch.records.length === 0 || batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    }
    return new LoggedSchemaRegistry(loaded);
  }

  override register(subject: string, type: RegisteredSchemaType, schema: string): number {
    const before = this.all().length;
    const id = super.register(subject, type, schema);
    if (this.all().length > before) this.pending.push(this.all().at(-1)!);
    return id;
  }

  override registerWithId(subject: string, type: RegisteredSchemaType, schema: string, id: number): number {
    const before = this.all().length;
    super.registerWithId(subject, type, schema, id);
    if (this.all().length > before) this.pending.push(this.all().at(-1)!);
    return id;
  }

  /** registrations not yet durable, as records for the `_schemas` topic */
  drainPending(): ProduceRecord[] {
    const out = this.pending.map((s) => ({ topic: SCHEMAS_TOPIC, partition: 0, key: Buffer.from(s.subject), value: Buffer.from(JSON.stringify(s)) }));
    this.pending = [];
    return out;
  }
}
