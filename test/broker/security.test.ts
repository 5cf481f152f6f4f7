/**
 * `sluice server` with a users file and TLS: the Kafka listener takes SASL/PLAIN and
 * SCRAM-SHA-256/512 over TLS (kafkajs as the client), refuses bad passwords and requests before
 * authentication, and topic admin lands in the audit log with the principal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { hashSecret } from '../../src/server/auth.js';
import { startServer } from '../../src/server/server-command.js';
import { scramCredentialFor } from '../../src/broker/scram-credentials.js';
import type { Engine } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { missingTool, until } from './broker-fixture.js';

const execFileAsync = promisify(execFile);
import { RawClient } from './raw-client.js';
import { API } from '../../src/broker/api-versions.js';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const hasOpenssl = existsSync('/usr/bin/openssl') || existsSync('/usr/local/bin/openssl');

describe('Kafka listener with SASL over TLS', { skip: hasOpenssl ? false : 'openssl not found' }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let kafkaAddress: string;
  let engine: Engine;
  let stop: () => Promise<void>;
  let ca: Buffer;
  const errors: string[] = [];

  before(async () => {
    dir = await tempDir('sluice-broker-sasl-');
    const key = join(dir.path, 'key.pem');
    const certPath = join(dir.path, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certPath, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    ca = await readFile(certPath);
    const users = {
      users: {
        alice: {
          password: await hashSecret('wonderland', 1024),
          role: 'admin',
          scram: { 'SCRAM-SHA-256': scramCredentialFor('wonderland', 'SCRAM-SHA-256'), 'SCRAM-SHA-512': scramCredentialFor('wonderland', 'SCRAM-SHA-512') },
        },
        viewer: { password: await hashSecret('look', 1024), role: 'read-only', scram: { 'SCRAM-SHA-256': scramCredentialFor('look', 'SCRAM-SHA-256') } },
      },
    };
    await writeFile(join(dir.path, 'users.json'), JSON.stringify(users));
    const started = await startServer(
      { dataDir: join(dir.path, 'data'), listen: 'https://127.0.0.1:0', tlsKey: key, tlsCert: certPath, users: join(dir.path, 'users.json'), kafkaListen: '127.0.0.1:0' },
      { out: () => {}, err: (l) => errors.push(l) },
    );
    kafkaAddress = started.kafka!;
    engine = started.engine;
    stop = started.stop;
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`${mechanism}: produces, consumes and administers topics as alice`, async () => {
      const kafka = new Kafka({ brokers: [kafkaAddress], clientId: mechanism, logLevel: logLevel.NOTHING, ssl: { ca: [ca] }, sasl: { mechanism, username: 'alice', password: 'wonderland' } as never });
      const admin = kafka.admin();
      await admin.connect();
      const topic = `secure-${mechanism}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'secret' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `g-${mechanism}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      await until('the record', () => (seen.length ? true : undefined));
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
      assert.deepEqual(seen, ['secret']);
    });
  }

  it('kcat (librdkafka) authenticates with PLAIN and both SCRAMs over TLS, and not with a wrong password', { skip: missingTool('kcat') }, async () => {
    const caFile = join(dir.path, 'cert.pem');
    const list = async (mechanism: string, password: string) => {
      try {
        const { stdout } = await execFileAsync('kcat', ['-L', '-b', kafkaAddress, '-X', 'security.protocol=SASL_SSL', '-X', `sasl.mechanisms=${mechanism}`, '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`, '-X', `ssl.ca.location=${caFile}`, '-m', '5']);
        return stdout.split('\n')[0]!;
      } catch (e) {
        return `failed: ${(e as { stderr?: string }).stderr ?? ''}`;
      }
    };
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) assert.match(await list(mechanism, 'wonderland'), /^Metadata for all topics/, mechanism);
    assert.match(await list('SCRAM-SHA-512', 'wrong'), /failed: .*(SASL|[Aa]uthentication)/);
  });

  it('a wrong password fails authentication; requests before authenticating close the connection', async () => {
    const kafka = new Kafka({ brokers: [kafkaAddress], clientId: 'bad', logLevel: logLevel.NOTHING, ssl: { ca: [ca] }, sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' }, retry: { retries: 0 } });
    const admin = kafka.admin();
    await assert.rejects(admin.connect(), /SASL|authentication|credentials/i);
    const plain = new Kafka({ brokers: [kafkaAddress], clientId: 'bad2', logLevel: logLevel.NOTHING, ssl: { ca: [ca] }, sasl: { mechanism: 'plain', username: 'mallory', password: 'x' }, retry: { retries: 0 } });
    await assert.rejects(plain.admin().connect(), /SASL|authentication|credentials/i);
    // without SASL (and without TLS) the connection does not get anywhere
    const raw = await RawClient.open(kafkaAddress);
    raw.writeRaw(raw.encode(API.Metadata, 12, { topics: null, allowAutoTopicCreation: true }));
    assert.equal(await raw.whenClosed(), true);
  });

  for (const mechanism of ['plain', 'scram-sha-256'] as const) {
    it(`a read-only user (${mechanism}) consumes in a group but cannot produce or administer topics`, async () => {
      const adminKafka = new Kafka({ brokers: [kafkaAddress], clientId: 'setup', logLevel: logLevel.NOTHING, ssl: { ca: [ca] }, sasl: { mechanism: 'plain', username: 'alice', password: 'wonderland' } });
      const p = adminKafka.producer();
      await p.connect();
      await p.send({ topic: `readable-${mechanism}`, messages: [{ value: 'for viewers' }] });
      await p.disconnect();
      const kafka = new Kafka({ brokers: [kafkaAddress], clientId: 'viewer', logLevel: logLevel.NOTHING, ssl: { ca: [ca] }, sasl: { mechanism, username: 'viewer', password: 'look' } as never, retry: { retries: 1, initialRetryTime: 50 } });
      const c = kafka.consumer({ groupId: `viewers-${mechanism}`, maxWaitTimeInMs: 100 });
      await c.connect();
      await c.subscribe({ topic: `readable-${mechanism}`, fromBeginning: true });
      const seen: string[] = [];
      await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      await until('the record', () => (seen.length ? true : undefined));
      await c.disconnect();
      assert.deepEqual(seen, ['for viewers']);
      const producer = kafka.producer();
      await producer.connect();
      await assert.rejects(producer.send({ topic: `readable-${mechanism}`, messages: [{ value: 'nope' }] }), /authoriz/i);
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const denied = (e: Error & { errors?: Error[] }) => /authoriz/i.test(`${e.message} ${(e.errors ?? []).map((x) => x.message).join(' ')}`);
      await assert.rejects(admin.createTopics({ topics: [{ topic: `viewer-made-${mechanism}` }] }), denied);
      await assert.rejects(admin.deleteTopics({ topics: [`readable-${mechanism}`] }), denied);
      await admin.disconnect();
      assert.equal(await engine.log.latestOffset(`readable-${mechanism}`, 0), 1n);
      assert.ok(!(await engine.log.listTopics()).includes(`viewer-made-${mechanism}`));
    });
  }

  it('topic creation and deletion are in the audit log with the principal', async () => {
    const found = await until('audit entries', async () => {
      const r = await engine.log.fetch('_sluice_audit', 0, 0n, { maxRecords: 10_000 });
      const entries = r.records.map((x) => JSON.parse(x.value!.toString()) as Record<string, string>);
      const kafkaEntries = entries.filter((e) => String(e.ENDPOINT).startsWith('kafka:'));
      return kafkaEntries.some((e) => e.ENDPOINT === 'kafka:delete-topic' && e.STATEMENT.includes('secure-plain')) ? kafkaEntries : undefined;
    });
    const created = found.find((e) => e.ENDPOINT === 'kafka:create-topic' && e.STATEMENT.includes('secure-scram-sha-512'));
    assert.equal(created?.PRINCIPAL, 'alice');
    assert.equal(created?.OUTCOME, 'SUCCESS');
  });
});
