/**
 * Kafka's predicates (org.apache.kafka.connect.transforms.predicates) and the worker's way of
 * applying a transform only when its predicate holds (`transforms.<a>.predicate` and `negate`,
 * Connect's TransformationStage).
 */
import { ConfigDef, ConnectConfigError, type ConnectRecord, type Predicate, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { parseConfig } from './util/transform-support.js';
import { compileJavaRegex } from '../../functions/scalar/java-regex.js';

export class HasHeaderKey implements Predicate {
  private name = '';

  config(): ConfigDef {
    return new ConfigDef().define({ name: 'name', type: 'STRING', validator: Validators.nonEmptyString(), importance: 'MEDIUM', documentation: 'The header name.' });
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.name = parseConfig(this.config(), props)['name'] as string;
  }

  test(record: ConnectRecord): boolean {
    return record.headers.some((h) => h.key === this.name);
  }

  close(): void {}
}

export class RecordIsTombstone implements Predicate {
  config(): ConfigDef {
    return new ConfigDef();
  }

  configure(): void {}

  test(record: ConnectRecord): boolean {
    return record.value === null || record.value === undefined;
  }

  close(): void {}
}

/** a Java regex that must match the whole input (Matcher.matches) */
export function compileFullMatch(pattern: string): RegExp {
  const re = compileJavaRegex(pattern);
  return new RegExp(`^(?:${re.source})$`, re.flags.replace('g', ''));
}

export class TopicNameMatches implements Predicate {
  private pattern!: RegExp;

  config(): ConfigDef {
    return new ConfigDef().define({
      name: 'pattern',
      type: 'STRING',
      validator: (name, value) => {
        Validators.nonEmptyString()(name, value);
        try {
          compileFullMatch(String(value));
        } catch (err) {
          throw new ConnectConfigError(name, value, `Invalid regex: ${(err as Error).message}`);
        }
      },
      importance: 'MEDIUM',
      documentation: "A Java regular expression for matching against the name of a record's topic.",
    });
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.pattern = compileFullMatch(parseConfig(this.config(), props)['pattern'] as string);
  }

  test(record: ConnectRecord): boolean {
    return record.topic !== null && record.topic !== undefined && this.pattern.test(record.topic);
  }

  close(): void {}
}

/**
 * A transform applied only to records for which the predicate holds (or does not, with negate):
 * what Connect's worker does for `transforms.<alias>.predicate=<p>` and `transforms.<alias>.negate`.
 */
export function predicated(transform: Transformation, predicate: Predicate, negate: boolean): Transformation {
  return {
    config: () => transform.config(),
    configure: (props) => transform.configure(props),
    apply: <R extends ConnectRecord>(record: R): R | null => (predicate.test(record) !== negate ? transform.apply(record) : record),
    close: () => transform.close(),
  };
}
