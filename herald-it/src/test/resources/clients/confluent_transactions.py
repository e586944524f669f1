"""Transactions with confluent-kafka (librdkafka) against a broker: prints one JSON object of what it saw.

librdkafka 2.0 speaks the transaction protocol before KIP-890 part 2 (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn
below v5), so this drives the paths a Kafka 4 Java client does not.

usage: confluent_transactions.py <bootstrap> <topic> <input-topic> <group>
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, topic, input_topic, group = sys.argv[1:5]
TIMEOUT = 30


def producer(transactional_id):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                  "transaction.timeout.ms": 60000})
    p.init_transactions(TIMEOUT)
    return p


def read_all(isolation, topic_name, group_id=None):
    """Every value from the beginning to the end of partition 0."""
    config = {"bootstrap.servers": bootstrap, "group.id": group_id or ("reader-" + isolation + "-" + topic_name),
              "isolation.level": isolation, "auto.offset.reset": "earliest", "enable.auto.commit": False,
              "enable.partition.eof": True}
    c = Consumer(config)
    c.assign([TopicPartition(topic_name, 0, 0)])
    values = []
    while True:
        m = c.poll(TIMEOUT)
        if m is None:
            raise SystemExit("no end of partition within %d s" % TIMEOUT)
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                break
            raise KafkaException(m.error())
        values.append(m.value().decode())
    c.close()
    return values


result = {}
p = producer("confluent-txn")
p.begin_transaction()
for i in range(3):
    p.produce(topic, key="k", value="committed-%d" % i)
p.commit_transaction(TIMEOUT)
p.begin_transaction()
for i in range(2):
    p.produce(topic, key="k", value="aborted-%d" % i)
p.flush(TIMEOUT)
p.abort_transaction(TIMEOUT)
p.begin_transaction()
p.produce(topic, key="k", value="committed-last")
p.commit_transaction(TIMEOUT)
result["read_committed"] = read_all("read_committed", topic)
result["read_uncommitted"] = read_all("read_uncommitted", topic)

# consume-transform-produce: the group's offset is committed with the output
plain = Producer({"bootstrap.servers": bootstrap})
for i in range(5):
    plain.produce(input_topic, value="in-%d" % i)
plain.flush(TIMEOUT)
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "isolation.level": "read_committed",
                     "auto.offset.reset": "earliest", "enable.auto.commit": False})
consumer.subscribe([input_topic])
seen = []
while len(seen) < 5:
    m = consumer.poll(TIMEOUT)
    if m is None:
        raise SystemExit("input not consumed within %d s" % TIMEOUT)
    if not m.error():
        seen.append(m)
ctp = producer("confluent-ctp")
ctp.begin_transaction()
for m in seen:
    ctp.produce(topic + "-out", value=m.value().decode().upper())
ctp.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(),
                                TIMEOUT)
ctp.commit_transaction(TIMEOUT)
committed = consumer.committed([TopicPartition(input_topic, 0)], TIMEOUT)
result["committed_offset"] = committed[0].offset
consumer.close()
result["output"] = read_all("read_committed", topic + "-out")
print(json.dumps(result))
