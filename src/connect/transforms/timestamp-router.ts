/** org.apache.kafka.connect.transforms.TimestampRouter: topic from ${topic} and the record timestamp */
import { ConfigDef, DataError, type ConnectRecord, type Transformation } from '../api/index.js';
import { parseConfig } from './util/transform-support.js';
import { formatSimpleDate } from './util/simple-date-format.js';

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'topic.format', type: 'STRING', defaultValue: '${topic}-${timestamp}', importance: 'HIGH', documentation: 'Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.' })
    .define({ name: 'timestamp.format', type: 'STRING', defaultValue: 'yyyyMMdd', importance: 'HIGH', documentation: 'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.' });

export class TimestampRouter implements Transformation {
  private topicFormat = '';
  private timestampFormat = '';

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.topicFormat = c['topic.format'] as string;
    this.timestampFormat = c['timestamp.format'] as string;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.timestamp === null) throw new DataError(`Timestamp missing on record: ${JSON.stringify({ topic: record.topic, kafkaPartition: record.kafkaPartition })}`);
    const formatted = formatSimpleDate(record.timestamp, this.timestampFormat);
    const topic = this.topicFormat.split('${topic}').join(record.topic).split('${timestamp}').join(formatted);
    return { ...record, topic };
  }

  close(): void {}
}
