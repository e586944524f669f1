package io.herald.cli.consume;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where {@link ConsumeLoop} gets records from: assigned partitions, a consumer group, or a share group. Each poll's
 * records are handed back through {@link #done}, split into those printed and those left over when the count was
 * reached, so that a group commits and a share group acknowledges exactly what the user saw.
 *
 * <p>Confined to the thread running the loop, except {@link #wakeup}.
 */
public interface RecordSource extends AutoCloseable {

    List<ConsumerRecord<byte[], byte[]>> poll(Duration timeout);

    /** After the records of the last poll were printed ({@code printed}) or not ({@code unprinted}). */
    void done(List<ConsumerRecord<byte[], byte[]>> printed, List<ConsumerRecord<byte[], byte[]>> unprinted);

    /** Whether every partition read has been read up to the end it had when reading started. */
    boolean reachedEnd();

    /** Interrupts a blocking poll from another thread (Ctrl-C). */
    void wakeup();

    @Override
    void close();
}
