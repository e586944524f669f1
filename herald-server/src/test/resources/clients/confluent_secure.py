"""Produce COUNT records to TOPIC and read them back in a consumer group, with the librdkafka security
settings given as JSON; prints {"delivered": n, "consumed": [values]} or {"error": "..."} and exits 1.

usage: confluent_secure.py BOOTSTRAP TOPIC COUNT CONFIG_JSON
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer


def main():
    bootstrap, topic, count, security = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    errors = []

    def on_error(err):
        errors.append(str(err))

    producer = Producer(dict(security, **{"bootstrap.servers": bootstrap, "error_cb": on_error}))
    delivered = []
    for i in range(count):
        producer.produce(topic, key=f"k{i}", value=f"py-{i}",
                         on_delivery=lambda err, msg: delivered.append(err is None))
    remaining = producer.flush(30)
    if remaining or not all(delivered) or len(delivered) != count:
        print(json.dumps({"error": f"delivery failed: {remaining} left, errors {errors}"}))
        return 1

    consumer = Consumer(dict(security, **{"bootstrap.servers": bootstrap, "group.id": "py-" + topic,
                                          "auto.offset.reset": "earliest", "error_cb": on_error}))
    consumer.subscribe([topic])
    consumed = []
    deadline = time.time() + 30
    while len(consumed) < count and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        consumed.append(msg.value().decode())
    consumer.close()
    print(json.dumps({"delivered": len(delivered), "consumed": consumed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
