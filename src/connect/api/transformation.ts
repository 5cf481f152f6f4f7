/** Single message transforms and predicates, as Kafka Connect defines them. */
import type { ConfigDef } from './config-def.js';
import type { ConnectRecord } from './connect-record.js';

/**
 * Connect's Transformation<R>: configured once from its `transforms.<alias>.*` properties (prefix
 * stripped), then applied to every record; returning null drops the record.
 */
export interface Transformation {
  config(): ConfigDef;
  configure(props: Readonly<Record<string, string>>): void;
  apply<R extends ConnectRecord>(record: R): R | null;
  close(): void;
}

/** Connect's Predicate<R>, used with `transforms.<alias>.predicate` and `negate`. */
export interface Predicate {
  config(): ConfigDef;
  configure(props: Readonly<Record<string, string>>): void;
  test(record: ConnectRecord): boolean;
  close(): void;
}

export type TransformationFactory = () => Transformation;
export type PredicateFactory = () => Predicate;
