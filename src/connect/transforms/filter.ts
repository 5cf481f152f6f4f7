/** org.apache.kafka.connect.transforms.Filter: drops every record (used with a predicate) */
import { ConfigDef, type ConnectRecord, type Transformation } from '../api/index.js';

export class Filter implements Transformation {
  config(): ConfigDef {
    return new ConfigDef();
  }

  configure(): void {}

  apply<R extends ConnectRecord>(_record: R): R | null {
    return null;
  }

  close(): void {}
}
