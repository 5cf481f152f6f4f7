/** org.apache.kafka.connect.transforms.DropHeaders */
import { ConfigDef, type ConnectRecord, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { parseConfig } from './util/transform-support.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef().define({ name: 'headers', type: 'LIST', validator: Validators.nonEmptyList(), importance: 'HIGH', documentation: 'The name of the headers to be removed.' });

export class DropHeaders implements Transformation {
  private headers = new Set<string>();

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.headers = new Set(parseConfig(CONFIG_DEF(), props)['headers'] as string[]);
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    return { ...record, headers: record.headers.filter((h) => !this.headers.has(h.key)) };
  }

  close(): void {}
}
