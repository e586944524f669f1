package io.herald.broker.fetch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

/**
 * How one Fetch request is served, decided by the {@link FetchSessionCache}: which partitions to read, and how
 * to finish the response (its session id; for an incremental fetch, only the partitions that changed).
 *
 * <p>{@link #finish} must be called once, with the response that is sent: it records in the session what the
 * client was told. Thread-safety: not shared; used by the request's own path (pool thread or purgatory).
 */
public final class FetchContext {
    private final List<PartitionFetch> plan;
    private final Optional<FetchSession> session;
    private final boolean incremental;
    private final Optional<Errors> error;

    private FetchContext(List<PartitionFetch> plan, Optional<FetchSession> session, boolean incremental,
                         Optional<Errors> error) {
        this.plan = plan;
        this.session = session;
        this.incremental = incremental;
        this.error = error;
    }

    static FetchContext sessionless(List<PartitionFetch> plan) {
        return new FetchContext(plan, Optional.empty(), false, Optional.empty());
    }

    static FetchContext full(List<PartitionFetch> plan, FetchSession created) {
        return new FetchContext(plan, Optional.of(created), false, Optional.empty());
    }

    static FetchContext incremental(List<PartitionFetch> plan, FetchSession session) {
        return new FetchContext(plan, Optional.of(session), true, Optional.empty());
    }

    static FetchContext error(Errors error) {
        return new FetchContext(List.of(), Optional.empty(), false, Optional.of(error));
    }

    /** The partitions to read, in order. */
    public List<PartitionFetch> plan() {
        return plan;
    }

    /** A session error to answer with instead of reading (session id 0, no partitions). */
    public Optional<Errors> error() {
        return error;
    }

    public boolean isIncremental() {
        return incremental;
    }

    /**
     * The answer to a fetch throttled by its client's byte quota, as Kafka gives it: no partitions, the throttle
     * time, and the session's id for an incremental fetch (0 for a full one, which then has to be repeated). The
     * session is left as it was: it does not record what this answer did not say. Instead of {@link #finish}.
     */
    public FetchResponseData throttled(int throttleMs) {
        return new FetchResponseData().setThrottleTimeMs(throttleMs)
                .setSessionId(incremental ? session.orElseThrow().id() : 0);
    }

    /** Sets the session id and, for an incremental fetch, drops the partitions the client need not hear about. */
    public FetchResponseData finish(FetchResponseData response) {
        if (session.isEmpty()) {
            return response.setSessionId(0);
        }
        FetchSession s = session.get();
        List<FetchSession.Keyed> keyed = new ArrayList<>();
        for (FetchableTopicResponse topic : response.responses()) {
            for (PartitionData pd : topic.partitions()) {
                keyed.add(new FetchSession.Keyed(s.key(topic.topicId(), topic.topic(), pd.partitionIndex()), pd));
            }
        }
        Set<PartitionData> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(s.filter(keyed, incremental));
        List<FetchableTopicResponse> topics = new ArrayList<>();
        for (FetchableTopicResponse topic : response.responses()) {
            List<PartitionData> partitions = topic.partitions().stream().filter(kept::contains).toList();
            if (!partitions.isEmpty()) {
                topics.add(topic.setPartitions(new ArrayList<>(partitions)));
            }
        }
        return response.setResponses(topics).setSessionId(s.id());
    }
}
