package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.e2e.TestBroker.RawConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization matrix of issue 15: every API the broker serves, sent raw over a SASL_PLAINTEXT listener with
 * the StandardAuthorizer semantics and no access without an ACL, by five callers:
 *
 * <ol>
 *   <li>no credentials: only ApiVersions and SaslHandshake are answered, any other request closes the connection
 *       (Kafka's "Unexpected Kafka request ... during SASL handshake");</li>
 *   <li>a wrong password: SaslAuthenticate answers SASL_AUTHENTICATION_FAILED and the connection closes, so the
 *       request is never answered;</li>
 *   <li>authenticated without any ACL: Kafka's denial for the API (TOPIC_, GROUP_, CLUSTER_ or
 *       TRANSACTIONAL_ID_AUTHORIZATION_FAILED), or no authorization error for the APIs Kafka lets anyone call or
 *       filters (ApiVersions, DescribeCluster, ListGroups, ListTransactions);</li>
 *   <li>authenticated with exactly the ACLs Kafka needs for the call: no authorization error (other errors, such as
 *       UNKNOWN_MEMBER_ID for a heartbeat of no member, are the call's own);</li>
 *   <li>the same ACLs plus a DENY of the first of them: the denial of column 3 (DENY wins).</li>
 * </ol>
 *
 * Each API runs at the highest version the broker advertises (AddPartitionsToTxn also at v3, the clients' version,
 * since v4+ is inter-broker). The test prints the matrix and the count of unexpected answers, which must be 0, and
 * fails if the broker serves an API the matrix does not cover.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuthorizationMatrixTest {
    private static final String TOPIC = "m-topic";
    private static final String DOOMED = "m-doomed";
    private static final Set<Errors> DENIALS = Set.of(Errors.TOPIC_AUTHORIZATION_FAILED,
            Errors.GROUP_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED,
            Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, Errors.DELEGATION_TOKEN_AUTHORIZATION_FAILED);
    /** Authentication APIs: their matrix is columns 1 and 2; once authenticated they are not ACL-checked. */
    private static final Set<ApiKeys> AUTHENTICATION = Set.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);

    @TempDir
    Path dir;

    /** What one row needs: the request's resources. */
    record Ctx(Uuid topicId, String group, String txn) {}

    /**
     * One API: its request at a version, Kafka's denial without ACLs (NONE: no authorization error) and the ACLs
     * Kafka needs for it, the first being the one the DENY column denies.
     */
    record Row(String name, ApiKeys key, short version, Function<Ctx, ApiMessage> request, Errors denial,
               List<ResourcePattern> patterns, List<AclOperation> operations) {
        String user(String prefix) {
            return prefix + name.toLowerCase().replace('_', '-');
        }
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private static ResourcePattern group(String name) {
        return new ResourcePattern(ResourceType.GROUP, name, PatternType.LITERAL);
    }

    private static ResourcePattern txn(String name) {
        return new ResourcePattern(ResourceType.TRANSACTIONAL_ID, name, PatternType.LITERAL);
    }

    private static final ResourcePattern CLUSTER = new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster",
            PatternType.LITERAL);

    /** The rows; versions 0 mean the broker's highest. Group and transactional id are per row ({@link #ctx}). */
    private static List<Row> rows(Map<ApiKeys, Short> served) {
        List<Row> rows = new ArrayList<>();
        class R {
            void add(ApiKeys key, Function<Ctx, ApiMessage> request, Errors denial, Object... needs) {
                add(key.name(), key, served.getOrDefault(key, (short) 0), request, denial, needs);
            }

            void add(String name, ApiKeys key, short version, Function<Ctx, ApiMessage> request, Errors denial,
                     Object... needs) {
                List<ResourcePattern> patterns = new ArrayList<>();
                List<AclOperation> operations = new ArrayList<>();
                for (int i = 0; i < needs.length; i += 2) {
                    patterns.add(resolve((String) needs[i], name));
                    operations.add((AclOperation) needs[i + 1]);
                }
                rows.add(new Row(name, key, version, request, denial, patterns, operations));
            }
        }
        R r = new R();
        short produce = served.get(ApiKeys.PRODUCE);
        r.add(ApiKeys.PRODUCE, c -> new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000)
                        .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                                topicProduce(c, produce)).iterator())),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.WRITE);
        short fetch = served.get(ApiKeys.FETCH);
        r.add(ApiKeys.FETCH, c -> new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                        .setMaxBytes(1 << 20).setTopics(List.of(fetchTopic(c, fetch))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.READ);
        r.add(ApiKeys.LIST_OFFSETS, c -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                        new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                        .setTimestamp(-1))))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.DESCRIBE);
        r.add(ApiKeys.METADATA, c -> new MetadataRequestData().setAllowAutoTopicCreation(false).setTopics(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName(TOPIC).setTopicId(Uuid.ZERO_UUID))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.DESCRIBE);
        short commit = served.get(ApiKeys.OFFSET_COMMIT);
        r.add(ApiKeys.OFFSET_COMMIT, c -> new OffsetCommitRequestData().setGroupId(c.group())
                        .setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(List.of(commitTopic(c, commit))),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ, "topic", AclOperation.READ);
        r.add(ApiKeys.OFFSET_FETCH, c -> new OffsetFetchRequestData().setGroups(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(c.group()).setTopics(null))),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DESCRIBE);
        r.add(ApiKeys.FIND_COORDINATOR, c -> new FindCoordinatorRequestData().setKeyType((byte) 0)
                        .setCoordinatorKeys(List.of(c.group())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DESCRIBE);
        r.add(ApiKeys.JOIN_GROUP, c -> new JoinGroupRequestData().setGroupId(c.group()).setMemberId("")
                        .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocolType("consumer")
                        .setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                                new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                                        .setMetadata(new byte[0])).iterator())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ);
        r.add(ApiKeys.HEARTBEAT, c -> new HeartbeatRequestData().setGroupId(c.group()).setGenerationId(1)
                        .setMemberId("m"),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ);
        r.add(ApiKeys.LEAVE_GROUP, c -> new LeaveGroupRequestData().setGroupId(c.group()).setMembers(List.of(
                        new LeaveGroupRequestData.MemberIdentity().setMemberId("m"))),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ);
        r.add(ApiKeys.SYNC_GROUP, c -> new SyncGroupRequestData().setGroupId(c.group()).setGenerationId(1)
                        .setMemberId("m").setProtocolType("consumer").setProtocolName("range"),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ);
        r.add(ApiKeys.DESCRIBE_GROUPS, c -> new DescribeGroupsRequestData().setGroups(List.of(c.group())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DESCRIBE);
        r.add(ApiKeys.LIST_GROUPS, c -> new ListGroupsRequestData(), Errors.NONE);
        r.add(ApiKeys.SASL_HANDSHAKE, c -> new SaslHandshakeRequestData().setMechanism("PLAIN"), Errors.NONE);
        r.add(ApiKeys.SASL_AUTHENTICATE, c -> new SaslAuthenticateRequestData().setAuthBytes(new byte[0]),
                Errors.NONE);
        r.add(ApiKeys.API_VERSIONS, c -> new ApiVersionsRequestData().setClientSoftwareName("matrix")
                .setClientSoftwareVersion("1"), Errors.NONE);
        r.add(ApiKeys.CREATE_TOPICS, c -> new CreateTopicsRequestData().setValidateOnly(true).setTimeoutMs(5000)
                        .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                                new CreateTopicsRequestData.CreatableTopic().setName("m-new-" + c.group())
                                        .setNumPartitions(1).setReplicationFactor((short) 1)).iterator())),
                Errors.TOPIC_AUTHORIZATION_FAILED, "new-topics", AclOperation.CREATE);
        r.add(ApiKeys.DELETE_TOPICS, c -> new DeleteTopicsRequestData().setTimeoutMs(5000).setTopics(List.of(
                        new DeleteTopicsRequestData.DeleteTopicState().setName(DOOMED).setTopicId(Uuid.ZERO_UUID))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "doomed", AclOperation.DELETE);
        r.add(ApiKeys.DELETE_RECORDS, c -> new DeleteRecordsRequestData().setTimeoutMs(5000).setTopics(List.of(
                        new DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC).setPartitions(List.of(
                                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0)
                                        .setOffset(0))))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.DELETE);
        r.add(ApiKeys.INIT_PRODUCER_ID, c -> new InitProducerIdRequestData().setTransactionalId(c.txn())
                        .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "txn", AclOperation.WRITE);
        r.add(ApiKeys.OFFSET_FOR_LEADER_EPOCH, c -> new OffsetForLeaderEpochRequestData().setReplicaId(-1)
                        .setTopics(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection(List.of(
                                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC)
                                        .setPartitions(List.of(new OffsetForLeaderEpochRequestData
                                                .OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0)
                                                .setCurrentLeaderEpoch(-1)))).iterator())),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.DESCRIBE);
        r.add("ADD_PARTITIONS_TO_TXN_V3", ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3, c ->
                        new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(c.txn())
                                .setV3AndBelowProducerId(0).setV3AndBelowProducerEpoch((short) 0)
                                .setV3AndBelowTopics(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection(
                                        List.of(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                                                .setName(TOPIC).setPartitions(List.of(0))).iterator())),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "txn", AclOperation.WRITE, "topic", AclOperation.WRITE);
        r.add(ApiKeys.ADD_PARTITIONS_TO_TXN, c -> new AddPartitionsToTxnRequestData().setTransactions(
                        new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection(List.of(
                                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                                        .setTransactionalId(c.txn()).setProducerId(0).setProducerEpoch((short) 0)
                                        .setVerifyOnly(true).setTopics(new AddPartitionsToTxnRequestData
                                                .AddPartitionsToTxnTopicCollection(List.of(new AddPartitionsToTxnRequestData
                                                        .AddPartitionsToTxnTopic().setName(TOPIC)
                                                        .setPartitions(List.of(0))).iterator()))).iterator())),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.CLUSTER_ACTION);
        r.add(ApiKeys.ADD_OFFSETS_TO_TXN, c -> new AddOffsetsToTxnRequestData().setTransactionalId(c.txn())
                        .setProducerId(0).setProducerEpoch((short) 0).setGroupId(c.group()),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "txn", AclOperation.WRITE, "group", AclOperation.READ);
        r.add(ApiKeys.END_TXN, c -> new EndTxnRequestData().setTransactionalId(c.txn()).setProducerId(0)
                        .setProducerEpoch((short) 0).setCommitted(true),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "txn", AclOperation.WRITE);
        r.add(ApiKeys.WRITE_TXN_MARKERS, c -> new WriteTxnMarkersRequestData().setMarkers(List.of(
                        new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(1).setProducerEpoch((short) 0)
                                .setTransactionResult(true).setCoordinatorEpoch(0).setTopics(List.of(
                                        new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(TOPIC)
                                                .setPartitionIndexes(List.of(0)))))),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.CLUSTER_ACTION);
        r.add(ApiKeys.TXN_OFFSET_COMMIT, c -> new TxnOffsetCommitRequestData().setTransactionalId(c.txn())
                        .setGroupId(c.group()).setProducerId(0).setProducerEpoch((short) 0).setGenerationId(-1)
                        .setMemberId("").setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                                .setName(TOPIC).setPartitions(List.of(new TxnOffsetCommitRequestData
                                        .TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                                        .setCommittedOffset(0))))),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "txn", AclOperation.WRITE, "group", AclOperation.READ,
                "topic", AclOperation.READ);
        r.add(ApiKeys.DESCRIBE_ACLS, c -> new DescribeAclsRequestData().setResourceTypeFilter((byte) 1)
                        .setPatternTypeFilter((byte) 1).setOperation((byte) 1).setPermissionType((byte) 1),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE);
        r.add(ApiKeys.CREATE_ACLS, c -> new CreateAclsRequestData().setCreations(List.of(
                        new CreateAclsRequestData.AclCreation().setResourceType((byte) 2).setResourceName("x")
                                .setResourcePatternType((byte) 3).setPrincipal("User:someone").setHost("*")
                                .setOperation((byte) 3).setPermissionType((byte) 3))),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER);
        r.add(ApiKeys.DELETE_ACLS, c -> new DeleteAclsRequestData().setFilters(List.of(
                        new DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter((byte) 2)
                                .setResourceNameFilter("x").setPatternTypeFilter((byte) 3)
                                .setPrincipalFilter("User:someone").setHostFilter("*").setOperation((byte) 3)
                                .setPermissionType((byte) 3))),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER);
        r.add(ApiKeys.DESCRIBE_CONFIGS, c -> new DescribeConfigsRequestData().setResources(List.of(
                        new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                                .setResourceName(TOPIC))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.DESCRIBE_CONFIGS);
        r.add(ApiKeys.ALTER_CONFIGS, c -> new AlterConfigsRequestData().setValidateOnly(true).setResources(
                        new AlterConfigsRequestData.AlterConfigsResourceCollection(List.of(
                                new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2)
                                        .setResourceName(TOPIC)).iterator())),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.ALTER_CONFIGS);
        r.add(ApiKeys.DESCRIBE_LOG_DIRS, c -> new DescribeLogDirsRequestData().setTopics(null),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE);
        r.add(ApiKeys.CREATE_PARTITIONS, c -> new CreatePartitionsRequestData().setValidateOnly(true)
                        .setTimeoutMs(5000).setTopics(new CreatePartitionsRequestData.CreatePartitionsTopicCollection(
                                List.of(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(TOPIC)
                                        .setCount(2).setAssignments(null)).iterator())),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.ALTER);
        r.add(ApiKeys.DELETE_GROUPS, c -> new DeleteGroupsRequestData().setGroupsNames(List.of(c.group())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DELETE);
        r.add(ApiKeys.ELECT_LEADERS, c -> new ElectLeadersRequestData().setElectionType((byte) 0)
                        .setTimeoutMs(5000).setTopicPartitions(new ElectLeadersRequestData.TopicPartitionsCollection(
                                List.of(new ElectLeadersRequestData.TopicPartitions().setTopic(TOPIC)
                                        .setPartitions(List.of(0))).iterator())),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER);
        r.add(ApiKeys.INCREMENTAL_ALTER_CONFIGS, c -> new IncrementalAlterConfigsRequestData().setValidateOnly(true)
                        .setResources(new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection(List.of(
                                new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2)
                                        .setResourceName(TOPIC)).iterator())),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.ALTER_CONFIGS);
        r.add(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, c -> new AlterPartitionReassignmentsRequestData()
                        .setTimeoutMs(5000),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER);
        r.add(ApiKeys.LIST_PARTITION_REASSIGNMENTS, c -> new ListPartitionReassignmentsRequestData()
                        .setTimeoutMs(5000).setTopics(null),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE);
        r.add(ApiKeys.OFFSET_DELETE, c -> new OffsetDeleteRequestData().setGroupId(c.group()).setTopics(
                        new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection(List.of(
                                new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC).setPartitions(
                                        List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                                                .setPartitionIndex(0)))).iterator())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DELETE, "topic", AclOperation.READ);
        r.add(ApiKeys.DESCRIBE_CLIENT_QUOTAS, c -> new DescribeClientQuotasRequestData(),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE_CONFIGS);
        r.add(ApiKeys.ALTER_CLIENT_QUOTAS, c -> new AlterClientQuotasRequestData().setValidateOnly(true)
                        .setEntries(List.of(new AlterClientQuotasRequestData.EntryData().setEntity(List.of(
                                new AlterClientQuotasRequestData.EntityData().setEntityType("user")
                                        .setEntityName("someone"))).setOps(List.of(
                                new AlterClientQuotasRequestData.OpData().setKey("producer_byte_rate")
                                        .setValue(1024))))),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER_CONFIGS);
        r.add(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, c -> new DescribeUserScramCredentialsRequestData()
                        .setUsers(null),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE);
        r.add(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, c -> new AlterUserScramCredentialsRequestData().setDeletions(
                        List.of(new AlterUserScramCredentialsRequestData.ScramCredentialDeletion().setName("someone")
                                .setMechanism((byte) 1))),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER);
        r.add(ApiKeys.DESCRIBE_QUORUM, c -> new DescribeQuorumRequestData().setTopics(List.of(
                        new DescribeQuorumRequestData.TopicData().setTopicName("__cluster_metadata").setPartitions(
                                List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0))))),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE);
        r.add(ApiKeys.UPDATE_FEATURES, c -> new UpdateFeaturesRequestData().setValidateOnly(true)
                        .setTimeoutMs(5000),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.ALTER);
        r.add(ApiKeys.DESCRIBE_CLUSTER, c -> new DescribeClusterRequestData(), Errors.NONE);
        r.add(ApiKeys.DESCRIBE_PRODUCERS, c -> new DescribeProducersRequestData().setTopics(List.of(
                        new DescribeProducersRequestData.TopicRequest().setName(TOPIC).setPartitionIndexes(
                                List.of(0)))),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.READ);
        r.add(ApiKeys.DESCRIBE_TRANSACTIONS, c -> new DescribeTransactionsRequestData().setTransactionalIds(
                        List.of(c.txn())),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "txn", AclOperation.DESCRIBE);
        r.add(ApiKeys.LIST_TRANSACTIONS, c -> new ListTransactionsRequestData(), Errors.NONE);
        r.add(ApiKeys.CONSUMER_GROUP_HEARTBEAT, c -> new ConsumerGroupHeartbeatRequestData().setGroupId(c.group())
                        .setMemberId(UUID.randomUUID().toString()).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                        .setSubscribedTopicNames(List.of(TOPIC)).setTopicPartitions(List.of()),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ, "topic", AclOperation.DESCRIBE);
        r.add(ApiKeys.CONSUMER_GROUP_DESCRIBE, c -> new ConsumerGroupDescribeRequestData().setGroupIds(
                        List.of(c.group())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DESCRIBE);
        r.add(ApiKeys.LIST_CONFIG_RESOURCES, c -> new ListConfigResourcesRequestData(),
                Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster", AclOperation.DESCRIBE_CONFIGS);
        r.add(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, c -> new DescribeTopicPartitionsRequestData().setTopics(List.of(
                        new DescribeTopicPartitionsRequestData.TopicRequest().setName(TOPIC)))
                        .setResponsePartitionLimit(100),
                Errors.TOPIC_AUTHORIZATION_FAILED, "topic", AclOperation.DESCRIBE);
        r.add(ApiKeys.SHARE_GROUP_HEARTBEAT, c -> new ShareGroupHeartbeatRequestData().setGroupId(c.group())
                        .setMemberId(UUID.randomUUID().toString()).setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of(TOPIC)),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ, "topic", AclOperation.DESCRIBE);
        r.add(ApiKeys.SHARE_GROUP_DESCRIBE, c -> new ShareGroupDescribeRequestData().setGroupIds(
                        List.of(c.group())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DESCRIBE);
        r.add(ApiKeys.SHARE_FETCH, c -> new ShareFetchRequestData().setGroupId(c.group())
                        .setMemberId(Uuid.randomUuid().toString()).setShareSessionEpoch(0).setMaxWaitMs(0)
                        .setMinBytes(1).setMaxBytes(1 << 20).setBatchSize(100)
                        .setTopics(new ShareFetchRequestData.FetchTopicCollection(List.of(
                                new ShareFetchRequestData.FetchTopic().setTopicId(c.topicId()).setPartitions(
                                        new ShareFetchRequestData.FetchPartitionCollection(List.of(
                                                new ShareFetchRequestData.FetchPartition().setPartitionIndex(0))
                                                .iterator()))).iterator())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ, "topic", AclOperation.READ);
        r.add(ApiKeys.SHARE_ACKNOWLEDGE, c -> new ShareAcknowledgeRequestData().setGroupId(c.group())
                        .setMemberId(Uuid.randomUuid().toString()).setShareSessionEpoch(1),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ);
        for (ApiKeys state : List.of(ApiKeys.INITIALIZE_SHARE_GROUP_STATE, ApiKeys.READ_SHARE_GROUP_STATE,
                ApiKeys.WRITE_SHARE_GROUP_STATE, ApiKeys.DELETE_SHARE_GROUP_STATE,
                ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY)) {
            r.add(state, c -> shareStateRequest(state, c), Errors.CLUSTER_AUTHORIZATION_FAILED, "cluster",
                    AclOperation.CLUSTER_ACTION);
        }
        r.add(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, c -> new DescribeShareGroupOffsetsRequestData().setGroups(
                        List.of(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                                .setGroupId(c.group()).setTopics(null))),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DESCRIBE);
        r.add(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, c -> new AlterShareGroupOffsetsRequestData().setGroupId(c.group())
                        .setTopics(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopicCollection(
                                List.of(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic()
                                        .setTopicName(TOPIC).setPartitions(List.of(
                                                new AlterShareGroupOffsetsRequestData
                                                        .AlterShareGroupOffsetsRequestPartition()
                                                        .setPartitionIndex(0).setStartOffset(0)))).iterator())),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.READ, "topic", AclOperation.READ);
        r.add(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, c -> new DeleteShareGroupOffsetsRequestData().setGroupId(c.group())
                        .setTopics(List.of(new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic()
                                .setTopicName(TOPIC))),
                Errors.GROUP_AUTHORIZATION_FAILED, "group", AclOperation.DELETE, "topic", AclOperation.READ);
        return rows;
    }

    private static ProduceRequestData.TopicProduceData topicProduce(Ctx c, short version) {
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setPartitionData(
                List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())))));
        return version >= 13 ? data.setTopicId(c.topicId()) : data.setName(TOPIC);
    }

    private static FetchRequestData.FetchTopic fetchTopic(Ctx c, short version) {
        FetchRequestData.FetchTopic data = new FetchRequestData.FetchTopic().setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20)));
        return version >= 13 ? data.setTopicId(c.topicId()) : data.setTopic(TOPIC);
    }

    private static OffsetCommitRequestData.OffsetCommitRequestTopic commitTopic(Ctx c, short version) {
        OffsetCommitRequestData.OffsetCommitRequestTopic data = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(0)));
        return version >= 10 ? data.setTopicId(c.topicId()) : data.setName(TOPIC);
    }

    private static ApiMessage shareStateRequest(ApiKeys key, Ctx c) {
        return switch (key) {
            case INITIALIZE_SHARE_GROUP_STATE -> new InitializeShareGroupStateRequestData().setGroupId(c.group())
                    .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData()
                            .setTopicId(c.topicId()).setPartitions(List.of(
                                    new InitializeShareGroupStateRequestData.PartitionData().setPartition(0)))));
            case READ_SHARE_GROUP_STATE -> new ReadShareGroupStateRequestData().setGroupId(c.group())
                    .setTopics(List.of(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(c.topicId())
                            .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData()
                                    .setPartition(0)))));
            case WRITE_SHARE_GROUP_STATE -> new WriteShareGroupStateRequestData().setGroupId(c.group())
                    .setTopics(List.of(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(c.topicId())
                            .setPartitions(List.of(new WriteShareGroupStateRequestData.PartitionData()
                                    .setPartition(0)))));
            case DELETE_SHARE_GROUP_STATE -> new DeleteShareGroupStateRequestData().setGroupId(c.group())
                    .setTopics(List.of(new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(c.topicId())
                            .setPartitions(List.of(new DeleteShareGroupStateRequestData.PartitionData()
                                    .setPartition(0)))));
            case READ_SHARE_GROUP_STATE_SUMMARY -> new ReadShareGroupStateSummaryRequestData().setGroupId(c.group())
                    .setTopics(List.of(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData()
                            .setTopicId(c.topicId()).setPartitions(List.of(
                                    new ReadShareGroupStateSummaryRequestData.PartitionData().setPartition(0)))));
            default -> throw new IllegalArgumentException(key.name());
        };
    }

    /** A need's resource: the row's own group and transactional id, the shared topics, or the cluster. */
    private static ResourcePattern resolve(String kind, String row) {
        Ctx c = ctx(row, Uuid.ZERO_UUID);
        return switch (kind) {
            case "topic" -> topic(TOPIC);
            case "doomed" -> topic(DOOMED);
            case "new-topics" -> new ResourcePattern(ResourceType.TOPIC, "m-new-", PatternType.PREFIXED);
            case "group" -> group(c.group());
            case "txn" -> txn(c.txn());
            case "cluster" -> CLUSTER;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static Ctx ctx(String row, Uuid topicId) {
        String id = row.toLowerCase().replace('_', '-');
        return new Ctx(topicId, "m-group-" + id, "m-txn-" + id);
    }

    private static String jaas(List<Row> rows) {
        StringBuilder users = new StringBuilder("user_admin=\"admin-secret\" user_nobody=\"pw\"");
        for (Row row : rows) {
            users.append(" user_").append(row.user("g-")).append("=\"pw\" user_").append(row.user("d-"))
                    .append("=\"pw\"");
        }
        return "org.apache.kafka.common.security.plain.PlainLoginModule required " + users + ";";
    }

    /** An authenticated raw connection, or the SaslAuthenticate error if authentication failed. */
    private static Object login(TestBroker broker, String user, String password) throws IOException {
        RawConnection c = broker.raw();
        c.roundTrip(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism("PLAIN"))
                .build((short) 1));
        byte[] token = ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
        SaslAuthenticateResponse answer = c.roundTrip(new SaslAuthenticateRequest.Builder(
                new SaslAuthenticateRequestData().setAuthBytes(token)).build((short) 2));
        if (answer.error() != Errors.NONE) {
            return new Object[] {c, answer.error()};
        }
        return c;
    }

    private static AbstractRequest request(Row row, Ctx ctx) {
        ApiMessage data = row.request().apply(ctx);
        return AbstractRequest.parseRequest(row.key(), row.version(),
                MessageUtil.toByteBufferAccessor(data, row.version())).request;
    }

    /** The errors of an answer, "closed" if the connection closed instead. */
    private static String answer(RawConnection c, AbstractRequest request) {
        try {
            AbstractResponse response = c.roundTrip(request);
            Set<String> errors = response.errorCounts().keySet().stream().map(Errors::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            topLevelError(response).ifPresent(e -> errors.add(e.name()));
            if (errors.size() > 1) {
                errors.remove("NONE");
            }
            return errors.isEmpty() ? "NONE" : String.join("+", errors);
        } catch (IOException closed) {
            return "closed";
        }
    }

    /**
     * The answer's top-level error code, for the answers whose {@code errorCounts} leave it out (such as
     * DescribeUserScramCredentials'), though clients read it.
     */
    private static java.util.Optional<Errors> topLevelError(AbstractResponse response) {
        try {
            Object code = response.data().getClass().getMethod("errorCode").invoke(response.data());
            return code instanceof Short s && s != 0 ? java.util.Optional.of(Errors.forCode(s))
                    : java.util.Optional.empty();
        } catch (ReflectiveOperationException none) {
            return java.util.Optional.empty();
        }
    }

    private static boolean denied(String answer, Errors denial) {
        return answer.contains(denial.name());
    }

    private static boolean noDenial(String answer) {
        return !answer.equals("closed") && DENIALS.stream().noneMatch(d -> answer.contains(d.name()));
    }

    @Test
    void everyServedApiAnswersEachCallerAsKafkaDoes() throws Exception {
        Map<ApiKeys, Short> served = new HashMap<>();
        // The rows need the served versions; a first broker would need the JAAS of the rows: read them from the
        // reviewed table every broker's ApiVersions is checked against (AdvertisedApiVersionsTest).
        for (String line : new String(AuthorizationMatrixTest.class.getResourceAsStream("/api-versions.txt")
                .readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && !line.startsWith("#")) {
                served.put(ApiKeys.valueOf(f[0]), Short.parseShort(f[3]));
            }
        }
        List<Row> rows = rows(served);
        Map<String, String> config = Map.of(
                "listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas(rows),
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:admin",
                "offsets.topic.replication.factor", "1",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1");
        try (TestBroker broker = TestBroker.start(dir, config)) {
            Uuid topicId;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                    "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" "
                            + "password=\"admin-secret\";"))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic(DOOMED, 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
                topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC)
                        .topicId();
                List<AclBinding> acls = new ArrayList<>();
                for (Row row : rows) {
                    for (int i = 0; i < row.patterns().size(); i++) {
                        for (String prefix : List.of("g-", "d-")) {
                            acls.add(new AclBinding(row.patterns().get(i), new AccessControlEntry(
                                    "User:" + row.user(prefix), "*", row.operations().get(i),
                                    AclPermissionType.ALLOW)));
                        }
                    }
                    if (!row.patterns().isEmpty()) {
                        acls.add(new AclBinding(row.patterns().getFirst(), new AccessControlEntry(
                                "User:" + row.user("d-"), "*", row.operations().getFirst(), AclPermissionType.DENY)));
                    }
                }
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            }

            // The matrix covers what the broker serves.
            Set<ApiKeys> covered = rows.stream().map(Row::key).collect(Collectors.toSet());
            try (RawConnection c = broker.raw()) {
                ApiVersionsResponse versions = c.roundTrip(new ApiVersionsRequest.Builder().build((short) 3));
                Set<ApiKeys> advertised = versions.data().apiKeys().stream().map(k -> ApiKeys.forId(k.apiKey()))
                        .collect(Collectors.toCollection(TreeSet::new));
                assertThat(covered).as("APIs in the matrix").containsAll(advertised);
            }

            List<String> report = new ArrayList<>();
            report.add(String.format("%-34s %-8s %-36s %-34s %-34s %-34s", "API (version)", "no creds",
                    "wrong password", "authenticated, no ACL", "with the needed ACLs", "with a DENY"));
            int unexpected = 0;
            for (Row row : rows) {
                Ctx ctx = ctx(row.name(), topicId);
                String none;
                try (RawConnection c = broker.raw()) {
                    none = answer(c, request(row, ctx));
                }
                String wrong;
                Object failed = login(broker, row.user("g-"), "wrong");
                if (failed instanceof Object[] pair) {
                    try (RawConnection c = (RawConnection) pair[0]) {
                        wrong = pair[1] + ", then " + answer(c, request(row, ctx));
                    }
                } else {
                    ((RawConnection) failed).close();
                    wrong = "authenticated";
                }
                String nobody;
                String granted;
                String deniedAnswer;
                boolean authentication = AUTHENTICATION.contains(row.key());
                try (RawConnection n = (RawConnection) login(broker, "nobody", "pw");
                     RawConnection d = (RawConnection) login(broker, row.user("d-"), "pw");
                     RawConnection g = (RawConnection) login(broker, row.user("g-"), "pw")) {
                    nobody = authentication ? "-" : answer(n, request(row, ctx));
                    deniedAnswer = authentication ? "-" : answer(d, request(row, ctx));
                    granted = authentication ? "-" : answer(g, request(row, ctx));
                }
                boolean unauthenticatedApi = row.key() == ApiKeys.API_VERSIONS || row.key() == ApiKeys.SASL_HANDSHAKE;
                List<String> wrongCells = new ArrayList<>();
                if (unauthenticatedApi ? none.equals("closed") : !none.equals("closed")) {
                    wrongCells.add("no creds");
                }
                if (!wrong.equals(Errors.SASL_AUTHENTICATION_FAILED + ", then closed")) {
                    wrongCells.add("wrong password");
                }
                if (!authentication) {
                    boolean open = row.denial() == Errors.NONE;
                    if (open ? !noDenial(nobody) : !denied(nobody, row.denial())) {
                        wrongCells.add("no ACL");
                    }
                    if (!noDenial(granted)) {
                        wrongCells.add("needed ACLs");
                    }
                    if (open ? !noDenial(deniedAnswer) : !denied(deniedAnswer, row.denial())) {
                        wrongCells.add("DENY");
                    }
                }
                unexpected += wrongCells.size();
                report.add(String.format("%-34s %-8s %-36s %-34s %-34s %-34s%s", row.name() + " (" + row.version()
                                + ")", none, wrong, nobody, granted, deniedAnswer,
                        wrongCells.isEmpty() ? "" : "   UNEXPECTED: " + wrongCells + ", expected denial "
                                + row.denial()));
            }
            report.add(rows.size() + " APIs x 5 callers; unexpected answers: " + unexpected);
            System.out.println(String.join("\n", report));

            assertThat(unexpected).as(String.join("\n", report)).isZero();
        }
    }
}
