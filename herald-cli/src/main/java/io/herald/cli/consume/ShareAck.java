package io.herald.cli.consume;

import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.AcknowledgeType;

/** How {@code herald consume --share-group} acknowledges the records it printed ({@code --ack}). */
enum ShareAck {
    /** Processed: the record is done for the group. */
    ACCEPT(AcknowledgeType.ACCEPT),
    /** Give it back: another delivery attempt, for this or another consumer. */
    RELEASE(AcknowledgeType.RELEASE),
    /** Unprocessable: archived, or dead-lettered where the group has a dead-letter topic (KIP-1191). */
    REJECT(AcknowledgeType.REJECT);

    static final List<String> NAMES = List.of("accept", "release", "reject");

    final AcknowledgeType type;

    ShareAck(AcknowledgeType type) {
        this.type = type;
    }

    static ShareAck of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
