/**
 * The configuration every connector has besides its own, as Kafka Connect 4.1 defines it
 * (ConnectorConfig, SinkConnectorConfig, SourceConnectorConfig): the keys, types, defaults, groups
 * and documentation that GET /connector-plugins/{type}/config and the validate endpoint show, next
 * to the connector's own keys. Sluice reads the keys it implements from the same names.
 */
import { ConfigDef, ConnectConfigError, type ConfigKey, type ConfigValidator } from './api/config-def.js';
import type { ConnectorType } from './api/connector.js';

const nonEmpty: ConfigValidator = (name, v) => {
  if (typeof v === 'string' && v.trim() === '') throw new ConnectConfigError(name, v, 'String may not be empty');
};
const atLeast =
  (min: number): ConfigValidator =>
  (name, v) => {
    if (typeof v === 'number' && v < min) throw new ConnectConfigError(name, v, `Value must be at least ${min}`);
  };
const oneOf =
  (...allowed: string[]): ConfigValidator =>
  (name, v) => {
    if (typeof v === 'string' && !allowed.includes(v)) throw new ConnectConfigError(name, v, `String must be one of: ${allowed.join(', ')}`);
  };

// Connect's own words, with its example (not the connector at hand)
const CONNECTOR_CLASS_DOC =
  'Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use "FileStreamSink" or "FileStreamSinkConnector" to make the configuration a bit shorter';

function commonKeys(version: string): ConfigKey[] {
  return [
    { name: "name", type: 'STRING', validator: nonEmpty, importance: 'HIGH', documentation: "Globally unique name to use for this connector.", group: "Common", orderInGroup: 1, width: 'MEDIUM', displayName: "Connector name" },
    { name: "connector.class", type: 'STRING', importance: 'HIGH', documentation: CONNECTOR_CLASS_DOC, group: "Common", orderInGroup: 2, width: 'LONG', displayName: "Connector class" },
    { name: "connector.plugin.version", type: 'STRING', defaultValue: version, importance: 'MEDIUM', documentation: "Version of the connector.", group: "Common", orderInGroup: 3, width: 'MEDIUM', displayName: "Connector version" },
    { name: "tasks.max", type: 'INT', defaultValue: 1, validator: atLeast(1), importance: 'HIGH', documentation: "Maximum number of tasks to use for this connector.", group: "Common", orderInGroup: 4, width: 'SHORT', displayName: "Tasks max" },
    { name: "tasks.max.enforce", type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.", group: "Common", orderInGroup: 5, width: 'SHORT', displayName: "Enforce tasks max" },
    { name: "key.converter", type: 'CLASS', defaultValue: null, importance: 'LOW', documentation: "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.", group: "Common", orderInGroup: 6, width: 'SHORT', displayName: "Key converter class" },
    { name: "key.converter.plugin.version", type: 'STRING', defaultValue: null, importance: 'LOW', documentation: "Version of the key converter.", group: "Common", orderInGroup: 7, width: 'SHORT', displayName: "Key converter version" },
    { name: "value.converter", type: 'CLASS', defaultValue: null, importance: 'LOW', documentation: "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.", group: "Common", orderInGroup: 8, width: 'SHORT', displayName: "Value converter class" },
    { name: "value.converter.plugin.version", type: 'STRING', defaultValue: null, importance: 'LOW', documentation: "Version of the value converter.", group: "Common", orderInGroup: 9, width: 'SHORT', displayName: "Value converter version" },
    { name: "header.converter", type: 'CLASS', defaultValue: null, importance: 'LOW', documentation: "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.", group: "Common", orderInGroup: 10, width: 'SHORT', displayName: "Header converter class" },
    { name: "header.converter.plugin.version", type: 'STRING', defaultValue: null, importance: 'LOW', documentation: "Version of the header converter.", group: "Common", orderInGroup: 11, width: 'SHORT', displayName: "Header converter version" },
    { name: "transforms", type: 'LIST', defaultValue: "", importance: 'LOW', documentation: "Aliases for the transformations to be applied to records.", group: "Transforms", orderInGroup: 12, width: 'LONG', displayName: "Transforms" },
    { name: "predicates", type: 'LIST', defaultValue: "", importance: 'LOW', documentation: "Aliases for the predicates used by transformations.", group: "Predicates", orderInGroup: 13, width: 'LONG', displayName: "Predicates" },
    { name: "config.action.reload", type: 'STRING', defaultValue: "restart", validator: oneOf('none', 'restart'), importance: 'LOW', documentation: "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future.", group: "Common", orderInGroup: 14, width: 'MEDIUM', displayName: "Reload Action" },
    { name: "errors.retry.timeout", type: 'LONG', defaultValue: 0, importance: 'MEDIUM', documentation: "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.", group: "Error Handling", orderInGroup: 1, width: 'MEDIUM', displayName: "Retry Timeout for Errors" },
    { name: "errors.retry.delay.max.ms", type: 'LONG', defaultValue: 60000, importance: 'MEDIUM', documentation: "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.", group: "Error Handling", orderInGroup: 2, width: 'MEDIUM', displayName: "Maximum Delay Between Retries for Errors" },
    { name: "errors.tolerance", type: 'STRING', defaultValue: "none", validator: oneOf('none', 'all'), importance: 'MEDIUM', documentation: "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.", group: "Error Handling", orderInGroup: 3, width: 'SHORT', displayName: "Error Tolerance" },
    { name: "errors.log.enable", type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.", group: "Error Handling", orderInGroup: 4, width: 'SHORT', displayName: "Log Errors" },
    { name: "errors.log.include.messages", type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.", group: "Error Handling", orderInGroup: 5, width: 'SHORT', displayName: "Log Error Details" },
  ];
}

function sinkKeys(): ConfigKey[] {
  return [
    { name: "topics", type: 'LIST', defaultValue: "", importance: 'HIGH', documentation: "List of topics to consume, separated by commas", group: "Common", orderInGroup: 4, width: 'LONG', displayName: "Topics" },
    { name: "topics.regex", type: 'STRING', defaultValue: "", importance: 'HIGH', documentation: "Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.", group: "Common", orderInGroup: 4, width: 'LONG', displayName: "Topics regex" },
    { name: "errors.deadletterqueue.topic.name", type: 'STRING', defaultValue: "", importance: 'MEDIUM', documentation: "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.", group: "Error Handling", orderInGroup: 6, width: 'MEDIUM', displayName: "Dead Letter Queue Topic Name" },
    { name: "errors.deadletterqueue.topic.replication.factor", type: 'SHORT', defaultValue: 3, importance: 'MEDIUM', documentation: "Replication factor used to create the dead letter queue topic when it doesn't already exist.", group: "Error Handling", orderInGroup: 7, width: 'MEDIUM', displayName: "Dead Letter Queue Topic Replication Factor" },
    { name: "errors.deadletterqueue.context.headers.enable", type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: "If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>", group: "Error Handling", orderInGroup: 8, width: 'MEDIUM', displayName: "Enable Error Context Headers" },
  ];
}

function sourceKeys(): ConfigKey[] {
  return [
    { name: "topic.creation.groups", type: 'LIST', defaultValue: "", importance: 'LOW', documentation: "Groups of configurations for topics created by source connectors", group: "Topic Creation", orderInGroup: 1, width: 'LONG', displayName: "Topic Creation Groups" },
    { name: "exactly.once.support", type: 'STRING', defaultValue: "requested", validator: oneOf('requested', 'required'), importance: 'MEDIUM', documentation: "Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to \"requested\". Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.", group: "Exactly Once Support", orderInGroup: 2, width: 'SHORT', displayName: "Exactly once support" },
    { name: "transaction.boundary", type: 'STRING', defaultValue: "poll", validator: oneOf('poll', 'interval', 'connector'), importance: 'MEDIUM', documentation: "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.", group: "Exactly Once Support", orderInGroup: 3, width: 'SHORT', displayName: "Transaction Boundary" },
    { name: "transaction.boundary.interval.ms", type: 'LONG', defaultValue: null, importance: 'LOW', documentation: "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.", group: "Exactly Once Support", orderInGroup: 4, width: 'SHORT', displayName: "Transaction boundary interval" },
    { name: "offsets.storage.topic", type: 'STRING', defaultValue: null, importance: 'LOW', documentation: "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.", group: "offsets.topic", orderInGroup: 1, width: 'LONG', displayName: "Offsets topic" },
  ];
}

/**
 * the framework's keys for a connector of this type and version, in Connect's order; `defaults`
 * replaces some defaults, as validation does with the worker's converters
 */
export function connectorBaseConfigDef(type: ConnectorType, version: string, defaults: Readonly<Record<string, unknown>> = {}): ConfigDef {
  const def = new ConfigDef();
  for (const key of [...commonKeys(version), ...(type === 'sink' ? sinkKeys() : sourceKeys())]) def.define(key.name in defaults ? { ...key, defaultValue: defaults[key.name] } : key);
  return def;
}

/** Connect's ConfigKeyInfo: one key of a plugin's configuration as the REST API shows it */
export function configKeyInfo(key: ConfigKey): Record<string, unknown> {
  return {
    name: key.name,
    type: key.type,
    required: key.defaultValue === undefined,
    default_value: key.defaultValue === undefined || key.defaultValue === null ? null : Array.isArray(key.defaultValue) ? key.defaultValue.join(',') : String(key.defaultValue),
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    width: key.width ?? 'NONE',
    display_name: key.displayName ?? key.name,
    dependents: key.dependents ?? [],
    order: key.orderInGroup ?? -1,
  };
}
