import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseProperties, workerConfig } from '../../src/connect/runtime/worker-config.js';
import { loadPluginPath } from '../../src/connect/plugin-path.js';
import { createPluginRegistry } from '../../src/connect/plugins.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

test('a Kafka Connect worker properties file is read as Java reads properties', () => {
  const props = parseProperties(`# comment
! also a comment
bootstrap.servers=localhost:9092
group.id : connect-cluster
key.converter org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=true
plugin.path=/usr/share/java,\\
    /opt/plugins
listeners=http://:8083
path\\=with\\:escapes=a\\tb
empty=
`);
  assert.deepEqual(props, {
    'bootstrap.servers': 'localhost:9092',
    'group.id': 'connect-cluster',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
    'plugin.path': '/usr/share/java,/opt/plugins',
    listeners: 'http://:8083',
    'path=with:escapes': 'a\tb',
    empty: '',
  });
  const c = workerConfig({ ...props, 'offset.storage.topic': 'my-offsets', 'rest.port': '9000' });
  assert.equal(c.offsetsTopic, 'my-offsets');
  assert.equal(c.configTopic, 'connect-configs');
  assert.equal(c.statusTopic, 'connect-status');
  // listeners wins over the older rest.port, as in Connect (and as the REST listener itself binds)
  assert.equal(c.workerId, 'localhost:8083');
  assert.equal(workerConfig({ 'rest.port': '9000' }).workerId, 'localhost:9000');
  assert.equal(workerConfig({ listeners: 'http://127.0.0.1:8084' }).workerId, '127.0.0.1:8084');
  assert.equal(workerConfig({ listeners: 'http://127.0.0.1:8084', 'rest.advertised.host.name': 'w1', 'rest.advertised.port': '80' }).workerId, 'w1:80');
  assert.equal(c.props['value.converter.schemas.enable'], 'true');
});

test('plugin.path loads JS plugin modules (and skips what is not one)', async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const registry = createPluginRegistry();
  assert.equal(registry.findConverter('org.apache.kafka.connect.storage.StringConverter') !== undefined, registry.findConverter('StringConverter') !== undefined);
  const loaded = await loadPluginPath(registry, `${join(here, 'fixtures', 'plugins')}, /nonexistent/dir`);
  assert.deepEqual(loaded.map((f) => f.slice(f.lastIndexOf('/') + 1)), ['test-converters.js']);
  assert.ok(registry.findConverter('StringConverter'));
  assert.ok(registry.findConverter('org.apache.kafka.connect.json.JsonConverter'));
  assert.equal(registry.findConnector('FileStreamSource')?.className, 'org.apache.kafka.connect.file.FileStreamSourceConnector');
  assert.equal(registry.findConnector('FileStreamSourceConnector')?.type, 'source');
});
