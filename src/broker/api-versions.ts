/**
 * Which versions of each API the broker serves: Kafka 4.x's own ranges (from the generated
 * schemas) capped where a newer version would need something the broker does not have (topic
 * ids in Produce/Fetch/OffsetCommit/OffsetFetch requests, KIP-890's server-side transaction
 * verification).
 */
import { MESSAGES } from './protocol/messages.generated.js';
import type { MessageSchema } from './protocol/schema.js';

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  IncrementalAlterConfigs: 44,
  DescribeCluster: 60,
  DeleteGroups: 42,
} as const;
export type ApiName = keyof typeof API;

const CAPS: Partial<Record<ApiName, number>> = {
  Produce: 12,
  Fetch: 17,
  OffsetCommit: 9,
  OffsetFetch: 9,
  Metadata: 12,
  AddPartitionsToTxn: 3,
  EndTxn: 4,
  TxnOffsetCommit: 4,
  DeleteTopics: 5,
  ListOffsets: 9,
};

export interface ServedApi {
  readonly name: ApiName;
  readonly schema: MessageSchema;
  readonly min: number;
  readonly max: number;
}

export const SERVED: ReadonlyMap<number, ServedApi> = new Map(
  (Object.entries(API) as [ApiName, number][]).map(([name, key]) => {
    const schema = MESSAGES[key]!;
    return [key, { name, schema, min: schema.valid[0], max: Math.min(schema.valid[1], CAPS[name] ?? schema.valid[1]) }];
  }),
);
