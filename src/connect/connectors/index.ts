/** The connectors Sluice ships, under the class names users already have in their configurations. */
import type { PluginRegistry } from '../plugins.js';
import { DatagenConnector } from './datagen.js';
import { FileStreamSinkConnector, FileStreamSourceConnector } from './file-stream.js';
import { JdbcSinkConnector } from './jdbc/jdbc-sink.js';
import { JdbcSourceConnector } from './jdbc/jdbc-source.js';
import { PostgresConnector } from './debezium/postgres-connector.js';

export function registerBuiltinConnectors(registry: PluginRegistry): void {
  registry.connector('org.apache.kafka.connect.file.FileStreamSourceConnector', () => new FileStreamSourceConnector(), '4.0.0');
  registry.connector('org.apache.kafka.connect.file.FileStreamSinkConnector', () => new FileStreamSinkConnector(), '4.0.0');
  registry.connector('io.confluent.kafka.connect.datagen.DatagenConnector', () => new DatagenConnector(), '0.6.5');
  registry.connector('io.confluent.connect.jdbc.JdbcSinkConnector', () => new JdbcSinkConnector(), '10.8.0');
  registry.connector('io.confluent.connect.jdbc.JdbcSourceConnector', () => new JdbcSourceConnector(), '10.8.0');
  registry.connector('io.debezium.connector.postgresql.PostgresConnector', () => new PostgresConnector(), '2.7.3.Final');
}
