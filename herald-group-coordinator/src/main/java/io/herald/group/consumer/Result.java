package io.herald.group.consumer;

import io.herald.group.record.ConsumerGroupRecord;
import java.util.List;
import java.util.Objects;

/**
 * What a coordinator operation produced: the records to persist and the response to send once
 * they are durable. The shard has already replayed the records (see
 * {@link ConsumerGroupCoordinatorShard}).
 */
public record Result<T>(List<ConsumerGroupRecord> records, T response) {
    public Result {
        records = List.copyOf(records);
        Objects.requireNonNull(response, "response");
    }
}
