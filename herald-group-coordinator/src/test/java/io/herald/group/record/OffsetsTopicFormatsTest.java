package io.herald.group.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.record.ConsumerGroupRecordSerde;
import io.herald.common.codec.GoldenFixtures;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordType;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The record formats that share {@code __consumer_offsets}, checked against each other and their fixtures. */
class OffsetsTopicFormatsTest {

    @Test
    void classicConsumerAndShareGroupKeyTypesAreDisjoint() {
        // GroupCoordinatorRecordSerde routes a record to one serde by its key type alone.
        Stream<Integer> classic = GroupRecordSerde.FORMAT.types().stream().map(RecordType::id);
        Stream<Integer> share = ShareGroupRecordSerde.FORMAT.types().stream().map(RecordType::id);

        assertThat(classic).noneMatch(id -> ConsumerGroupRecordSerde.FORMAT.type(id).isPresent()
                || ShareGroupRecordSerde.FORMAT.type(id).isPresent());
        assertThat(share).noneMatch(id -> ConsumerGroupRecordSerde.FORMAT.type(id).isPresent());
        assertThat(GroupRecordSerde.FORMAT.unknownTypes()).as("a downgrade still loads the log")
                .isEqualTo(RecordFormat.UnknownTypes.SKIP);
    }

    @Test
    void everyKeyTypeHasGoldenFixturesOfTheVersionItWritesAndOfItsTombstone() {
        assertFixtures(GroupRecordSerde.FORMAT, GoldenFixtures.of("consumer-offsets-classic"));
        assertFixtures(ConsumerGroupRecordSerde.FORMAT, GoldenFixtures.of("consumer-offsets-consumer-group"));
        assertFixtures(ShareGroupRecordSerde.FORMAT, GoldenFixtures.of("consumer-offsets-share-group"));
    }

    private static void assertFixtures(RecordFormat format, GoldenFixtures golden) {
        for (RecordType type : format.types()) {
            // A new type or value version without a fixture would leave its bytes unpinned.
            assertThat(golden.names()).as(format.name())
                    .contains(type.name() + "-v" + type.version(), type.name() + "-tombstone");
        }
    }
}
