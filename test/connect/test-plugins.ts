/**
 * Test-only converters (a StringConverter and a schemaless JSON converter) until the real ones from
 * src/connect/converters/ are registered, plus a registry holding them under Kafka's class names.
 */
import { ConfigDef } from '../../src/connect/api/config-def.js';
import type { Converter } from '../../src/connect/api/converter.js';
import { DataError, Struct } from '../../src/connect/api/schema.js';
import { Schemas } from '../../src/connect/api/schema.js';
import { createPluginRegistry, type PluginRegistry } from '../../src/connect/plugins.js';

class TestStringConverter implements Converter {
  config(): ConfigDef {
    return new ConfigDef();
  }
  configure(): void {}
  fromConnectData(_t: string, _h: unknown, _s: unknown, value: unknown): Buffer | null {
    return value === null || value === undefined ? null : Buffer.from(String(value));
  }
  toConnectData(_t: string, _h: unknown, value: Buffer | null) {
    return { schema: Schemas.primitive('STRING', true), value: value === null ? null : value.toString('utf8') };
  }
}

function plain(v: unknown): unknown {
  if (v instanceof Struct) return Object.fromEntries((v.schema.fields ?? []).map((f) => [f.name, plain(v.get(f.name))]));
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

class TestJsonConverter implements Converter {
  config(): ConfigDef {
    return new ConfigDef();
  }
  configure(): void {}
  fromConnectData(_t: string, _h: unknown, _s: unknown, value: unknown): Buffer | null {
    return value === null || value === undefined ? null : Buffer.from(JSON.stringify(plain(value)));
  }
  toConnectData(_t: string, _h: unknown, value: Buffer | null) {
    if (value === null) return { schema: null, value: null };
    try {
      return { schema: null, value: JSON.parse(value.toString('utf8')) as unknown };
    } catch (e) {
      throw new DataError(`Converting byte[] to Kafka Connect data failed due to serialization error: ${(e as Error).message}`);
    }
  }
}

export function testPlugins(): PluginRegistry {
  const r = createPluginRegistry();
  if (!r.findConverter('org.apache.kafka.connect.storage.StringConverter')) r.converter('org.apache.kafka.connect.storage.StringConverter', () => new TestStringConverter());
  if (!r.findConverter('org.apache.kafka.connect.json.JsonConverter')) r.converter('org.apache.kafka.connect.json.JsonConverter', () => new TestJsonConverter());
  return r;
}
