package io.herald.metadata.log;

import io.herald.metadata.record.MetadataRecord;
import java.io.IOException;
import java.util.List;

/**
 * The durable, ordered log of metadata records. On a single node this is a local file; in a cluster it is the
 * Raft log of the metadata quorum. Either way, a batch is durable when {@link #append} returns.
 */
public interface MetadataLog extends AutoCloseable {

    /** Every record appended so far, in order. Called once at startup. */
    List<MetadataRecord> readAll() throws IOException;

    /** Appends a batch atomically (all or none survive a crash) and makes it durable. */
    void append(List<MetadataRecord> records) throws IOException;

    @Override
    void close() throws IOException;
}
