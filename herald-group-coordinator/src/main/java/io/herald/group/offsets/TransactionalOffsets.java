package io.herald.group.offsets;

import io.herald.common.time.Time;
import io.herald.group.ConsumerGroups;
import io.herald.group.GroupConfig;
import io.herald.group.RequestContext;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.record.GroupRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit (KIP-98, KIP-447): a producer commits the consumer offsets of its transaction. The offset
 * records are written as a transactional batch of that producer and kept pending in the {@link OffsetStore}
 * until the transaction's marker arrives. The member checks are OffsetCommit's, with TxnOffsetCommit's error
 * codes ({@link CommitValidator}).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class TransactionalOffsets {

    /** The records to write in the producer's transaction (not yet replayed), and the answer. */
    public record Commit(List<GroupRecord.OffsetCommit> records, TxnOffsetCommitResponseData response) {
        public Commit {
            records = List.copyOf(records);
        }
    }

    private final GroupConfig config;
    private final Time time;
    private final CommitValidator validator;

    /** @param shareGroupExists whether a share group has the id (it commits no offsets: GROUP_ID_NOT_FOUND) */
    public TransactionalOffsets(GroupConfig config, Time time, ClassicGroupManager groups,
                                ConsumerGroups consumerGroups, Predicate<String> shareGroupExists) {
        this.config = config;
        this.time = time;
        this.validator = new CommitValidator(groups, consumerGroups, shareGroupExists);
    }

    /**
     * @param partitionExists whether a partition exists (others get UNKNOWN_TOPIC_OR_PARTITION)
     */
    public Commit commit(RequestContext ctx, TxnOffsetCommitRequestData req, Predicate<TopicPartition> partitionExists) {
        Errors groupError = validator.validate(new CommitValidator.Commit(CommitValidator.Kind.TXN_OFFSET_COMMIT,
                req.groupId(), req.memberId(), req.groupInstanceId(), req.generationId(), ctx.apiVersion()));
        long now = time.milliseconds();
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        List<GroupRecord.OffsetCommit> records = new ArrayList<>();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : req.topics()) {
            var topicResponse = new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName(topic.name());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                Errors error = CommitValidator.partitionError(groupError, new TopicPartition(topic.name(),
                        p.partitionIndex()), partitionExists, metadata, config.offsetMetadataMaxBytes());
                if (error == Errors.NONE) {
                    records.add(new GroupRecord.OffsetCommit(req.groupId(), topic.name(), p.partitionIndex(),
                            Optional.of(new OffsetAndMetadata(p.committedOffset(), p.committedLeaderEpoch(),
                                    metadata, now, OptionalLong.empty()))));
                }
                topicResponse.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        return new Commit(records, response);
    }
}
