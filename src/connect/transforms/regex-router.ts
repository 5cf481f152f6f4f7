/** org.apache.kafka.connect.transforms.RegexRouter: rename the topic when the whole name matches */
import { ConfigDef, type ConnectRecord, type Transformation } from '../api/index.js';
import { Validators, javaReplacement } from './util/validators.js';
import { compileFullMatch } from './predicates.js';
import { parseConfig } from './util/transform-support.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'regex', type: 'STRING', validator: Validators.regex(), importance: 'HIGH', documentation: 'Regular expression to use for matching.' })
    .define({ name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' });

export class RegexRouter implements Transformation {
  private full!: RegExp;
  private replacement = '';

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.full = compileFullMatch(c['regex'] as string);
    this.replacement = c['replacement'] as string;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (!this.full.test(record.topic)) return record;
    // Matcher.replaceFirst after matches(): the match is the whole topic
    const m = this.full.exec(record.topic)!;
    const topic = javaReplacement(this.replacement, m[0], m.slice(1), m.groups);
    return { ...record, topic };
  }

  close(): void {}
}
