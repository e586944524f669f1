package io.herald.cli.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The per-partition lag table of {@code herald group describe}, computed from what the Admin calls returned: a
 * row for every partition the group has an offset for or a member is assigned, sorted by topic and partition. The
 * lag is the log end offset minus the committed offset, as kafka-consumer-groups shows it (never negative: an end
 * offset read a moment before a commit can be behind it); without a committed offset there is no lag to show.
 *
 * <p>Stateless and thread-safe.
 */
final class GroupLag {

    /** A member as the table shows it. */
    record Member(String id, String host, String clientId) {}

    /** One line of the table; an absent value prints as {@code -}. */
    record Row(TopicPartition partition, OptionalLong current, OptionalLong logEnd, OptionalLong lag,
               Optional<Member> member) {}

    private GroupLag() {
    }

    static List<Row> rows(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> logEnds,
                          Map<TopicPartition, Member> assigned) {
        TreeSet<TopicPartition> partitions = new TreeSet<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        partitions.addAll(committed.keySet());
        partitions.addAll(assigned.keySet());
        List<Row> rows = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OptionalLong current = committed.containsKey(tp) ? OptionalLong.of(committed.get(tp)) : OptionalLong.empty();
            OptionalLong end = logEnds.containsKey(tp) ? OptionalLong.of(logEnds.get(tp)) : OptionalLong.empty();
            OptionalLong lag = current.isPresent() && end.isPresent()
                    ? OptionalLong.of(Math.max(0, end.getAsLong() - current.getAsLong())) : OptionalLong.empty();
            rows.add(new Row(tp, current, end, lag, Optional.ofNullable(assigned.get(tp))));
        }
        return rows;
    }

    /** The sum of the lags shown. */
    static long total(List<Row> rows) {
        return rows.stream().mapToLong(r -> r.lag().orElse(0)).sum();
    }
}
