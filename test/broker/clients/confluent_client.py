"""librdkafka's Python client (confluent-kafka) against the Sluice listener; prints one JSON report.

usage: confluent_client.py BOOTSTRAP TOPIC
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
report = {}
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1, config={'retention.ms': '86400000'})]).values():
    f.result()
try:
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])[topic].result()
    report['duplicate_create'] = 'ok'
except Exception as e:  # noqa: BLE001
    report['duplicate_create'] = e.args[0].name()
for f in admin.create_partitions([NewPartitions(topic, 3)]).values():
    f.result()
report['partitions'] = len(admin.list_topics(topic, timeout=10).topics[topic].partitions)
res = ConfigResource('topic', topic)
cfg = admin.describe_configs([res])[res].result()
report['retention_ms'] = cfg['retention.ms'].value

delivered = []
for codec in ['none', 'gzip', 'snappy', 'lz4', 'zstd']:
    p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'compression.type': codec, 'linger.ms': 5})
    for i in range(20):
        p.produce(topic, key=f'{codec}-{i}', value=f'{codec}-value-{i}', partition=i % 3,
                  on_delivery=lambda err, msg: delivered.append(None if err else msg.offset()))
    p.flush(15)
report['delivered'] = len([d for d in delivered if d is not None])

tp = Producer({'bootstrap.servers': bootstrap, 'transactional.id': f'{topic}-txn'})
tp.init_transactions(15)
tp.begin_transaction()
tp.produce(topic, value='txn-committed', partition=0)
tp.commit_transaction(15)
tp.begin_transaction()
tp.produce(topic, value='txn-aborted', partition=0)
tp.abort_transaction(15)

def consume(group, want, isolation='read_committed'):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                  'isolation.level': isolation, 'enable.auto.commit': False,
                  'partition.assignment.strategy': 'cooperative-sticky'})
    c.subscribe([topic])
    values = []
    deadline = time.time() + 30
    while time.time() < deadline and len(values) < want:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        values.append(m.value().decode())
    c.commit(asynchronous=False)
    committed = c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
    c.close()
    return values, sum(tp.offset for tp in committed if tp.offset >= 0)

values, committed = consume(f'{topic}-g', 101)
report['consumed'] = len(values)
report['txn_values'] = sorted(v for v in values if v.startswith('txn-'))
report['committed_sum'] = committed
# resuming: a new record only
p = Producer({'bootstrap.servers': bootstrap})
p.produce(topic, value='after-commit', partition=1)
p.flush(10)
values2, _ = consume(f'{topic}-g', 1)
report['resumed'] = values2
# a cooperative-sticky group of two: the second member's join rebalances incrementally
owned = {'c1': set(), 'c2': set()}
def member(name):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'{topic}-coop', 'auto.offset.reset': 'earliest',
                  'partition.assignment.strategy': 'cooperative-sticky', 'session.timeout.ms': 6000,
                  'heartbeat.interval.ms': 300})
    c.subscribe([topic],
                on_assign=lambda _c, parts: owned[name].update(p.partition for p in parts),
                on_revoke=lambda _c, parts: owned[name].difference_update(p.partition for p in parts))
    return c
c1 = member('c1')
got = 0
deadline = time.time() + 30
while time.time() < deadline and len(owned['c1']) < 3:
    m = c1.poll(0.2)
    got += 1 if m is not None and not m.error() else 0
c2 = member('c2')
deadline = time.time() + 40
while time.time() < deadline and not (owned['c2'] and len(owned['c1']) + len(owned['c2']) == 3):
    for c in (c1, c2):
        c.poll(0.1)
report['coop_sizes'] = sorted([len(owned['c1']), len(owned['c2'])])
report['coop_disjoint'] = not (owned['c1'] & owned['c2'])
c2.close()
deadline = time.time() + 40
while time.time() < deadline and len(owned['c1']) < 3:
    c1.poll(0.1)
report['coop_after_leave'] = len(owned['c1'])
c1.close()
print(json.dumps(report))
