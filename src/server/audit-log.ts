/**
 * The audit log: one record per statement that changes something (and per /inserts-stream
 * request), with principal, time, source address, the statement and its outcome. Records go to an
 * internal topic with its own retention, over which the stream SLUICE_AUDIT is declared, so the
 * log reads like any stream: `PRINT '_sluice_audit' FROM BEGINNING;`,
 * `SELECT * FROM SLUICE_AUDIT EMIT CHANGES;`. Writes are serialised so records keep their order.
 */
import type { Engine } from '../index.js';
import { LogError } from '../index.js';

export const AUDIT_TOPIC = '_sluice_audit';
export const AUDIT_STREAM = 'SLUICE_AUDIT';
/** 30 days unless the configuration says otherwise */
export const DEFAULT_AUDIT_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface AuditEntry {
  readonly principal: string;
  readonly sourceAddress: string;
  readonly endpoint: string;
  readonly statement: string;
  /** 'SUCCESS', 'FAILED' or 'DENIED' */
  readonly outcome: 'SUCCESS' | 'FAILED' | 'DENIED';
  /** the result message or the error (never a secret: statements carry none, headers are not logged) */
  readonly detail: string;
}

export class AuditLog {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly engine: Engine,
    private readonly onError: (e: unknown) => void,
  ) {}

  static async open(engine: Engine, retentionMs: number, onError: (e: unknown) => void): Promise<AuditLog> {
    try {
      await engine.log.createTopic(AUDIT_TOPIC, { partitions: 1, config: { 'retention.ms': retentionMs, 'cleanup.policy': 'delete' } });
    } catch (e) {
      if (!(e instanceof LogError) || e.code !== 'TOPIC_EXISTS') throw e;
      await engine.log.updateTopicConfig(AUDIT_TOPIC, { 'retention.ms': retentionMs });
    }
    if (!engine.catalog.getSource(AUDIT_STREAM))
      await engine.execute(
        `CREATE STREAM IF NOT EXISTS ${AUDIT_STREAM} (AUDIT_TIME TIMESTAMP, PRINCIPAL STRING, SOURCE_ADDRESS STRING, ENDPOINT STRING, STATEMENT STRING, OUTCOME STRING, DETAIL STRING) ` +
          `WITH (KAFKA_TOPIC='${AUDIT_TOPIC}', VALUE_FORMAT='JSON', TIMESTAMP='AUDIT_TIME');`,
      );
    return new AuditLog(engine, onError);
  }

  /** Appends an entry; resolves once it is in the log (failures go to the server log, never to the client). */
  record(entry: AuditEntry): Promise<void> {
    const now = Date.now();
    this.tail = this.tail.then(() =>
      this.engine
        .insert(AUDIT_STREAM, {
          AUDIT_TIME: now,
          PRINCIPAL: entry.principal,
          SOURCE_ADDRESS: entry.sourceAddress,
          ENDPOINT: entry.endpoint,
          STATEMENT: entry.statement,
          OUTCOME: entry.outcome,
          DETAIL: entry.detail,
        })
        .catch(this.onError),
    );
    return this.tail;
  }

  flush(): Promise<void> {
    return this.tail;
  }
}
