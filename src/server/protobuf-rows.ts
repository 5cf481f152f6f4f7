/**
 * ksqlDB's PROTOBUF query output (Accept: application/vnd.ksql.v1+protobuf, on /query and
 * /query-stream): a JSON array whose header carries the rows' proto3 schema (`protoSchema`, the
 * schema ksqlDB's PROTOBUF_NOSR serializer derives, message ConnectDefault1) and whose rows carry
 * each row's serialized message, base64 (`{"row":{"protobufBytes":...}}`). The engine's own
 * PROTOBUF_NOSR serde writes both.
 */
import { createSerde, protobufSchemaFor } from '../index.js';
import type { ResultColumn, RowSerde } from '../index.js';
import { jsonText } from './json-body.js';

export const KSQL_V1_PROTOBUF = 'application/vnd.ksql.v1+protobuf';

export class ProtobufRows {
  readonly protoSchema: string;
  private readonly serde: RowSerde;

  constructor(columns: readonly ResultColumn[]) {
    const fields = columns.map((c) => ({ name: c.name, type: c.type }));
    this.protoSchema = protobufSchemaFor(fields);
    this.serde = createSerde('PROTOBUF_NOSR', 'VALUE', fields);
  }

  /** `{"header":{...}}` with the proto schema added to ksqlDB's header fields */
  header(queryId: string, schema: string): string {
    return jsonText({ header: { queryId, schema, protoSchema: this.protoSchema } });
  }

  row(values: readonly unknown[]): string {
    return `{"row":{"protobufBytes":"${(this.serde.serialize(values) ?? Buffer.alloc(0)).toString('base64')}"}}`;
  }
}
