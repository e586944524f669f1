package io.herald.broker.sharestate;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;

/**
 * This broker's share coordinator, as the ShareGroupState RPCs see it: one call per RPC, answered with the RPC's
 * response (per-partition errors inside; NOT_COORDINATOR for keys not served here). The server wires it to the
 * share coordinator.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
public interface ShareStateService {
    CompletableFuture<InitializeShareGroupStateResponseData> initializeState(InitializeShareGroupStateRequestData r);

    CompletableFuture<ReadShareGroupStateResponseData> readState(ReadShareGroupStateRequestData r);

    CompletableFuture<WriteShareGroupStateResponseData> writeState(WriteShareGroupStateRequestData r, short version);

    CompletableFuture<DeleteShareGroupStateResponseData> deleteState(DeleteShareGroupStateRequestData r);

    CompletableFuture<ReadShareGroupStateSummaryResponseData> readStateSummary(ReadShareGroupStateSummaryRequestData r,
                                                                             short version);

    /** Which partition of {@code __share_group_state} holds a key ({@code groupId:topicId:partition}). */
    int partitionFor(String coordinatorKey);
}
