export { KafkaLog, type KafkaLogOptions } from './kafka-log.js';
export { kafkaSettings, KAFKA_CLIENT_PROPERTIES, type KafkaSettings } from './kafka-client-config.js';
export { KsqlNamedLog, KsqlNames } from './ksql-named-log.js';
export { TaskGroupMember, assignTasks, assignStandbys, type TaskAssignmentView, type TaskGroupOptions } from './task-group-member.js';
export { createKafkaProducer } from './kafkajs-produce-retry.js';
