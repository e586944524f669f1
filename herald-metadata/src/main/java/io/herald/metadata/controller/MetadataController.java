package io.herald.metadata.controller;

import io.herald.common.time.Time;
import io.herald.metadata.api.AclAdmin;
import io.herald.metadata.api.BrokerLifecycle;
import io.herald.metadata.api.FeatureAdmin;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.ProducerIdSource;
import io.herald.metadata.api.QuorumView;
import io.herald.metadata.api.ReassignmentAdmin;
import io.herald.metadata.api.QuotaAdmin;
import io.herald.metadata.api.ScramAdmin;
import io.herald.metadata.api.TopicAdmin;
import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.controller.ControllerCommand.AlterClientQuotas;
import io.herald.metadata.controller.ControllerCommand.AlterScramCredentials;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreateAcls;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteAcls;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.PartitionRef;
import io.herald.metadata.controller.ControllerCommand.Reassignment;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.RegisterEndpoints;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.controller.ControllerCommand.ScramDeletion;
import io.herald.metadata.controller.ControllerCommand.ScramUpsertion;
import io.herald.metadata.controller.ControllerCommand.UpdateFeatures;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.controller.LeaderRequest.Validate;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.QuorumDescription;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord;
import io.herald.metadata.record.MetadataRecordSerde;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller as broker code uses it. Every change is a {@link ControllerCommand} appended to the
 * {@link MetadataQuorum}; {@link ControllerStateMachine} decides it on every member; a method returns once
 * THIS node has applied the entry (bounded by {@link ControllerSettings#requestTimeoutMs()}), and throws the
 * Kafka {@link ApiException} the decision carried. Validate-only calls are decided by the leader without
 * writing the log.
 *
 * <p>Also runs this node's periodic work on a {@link ControllerScheduler}: heartbeats of the brokers started
 * with {@link #startHeartbeats}, and the {@link LeaderDuties} check while this node is the quorum leader.
 *
 * <p>Owns the quorum and the scheduler ({@link #close} closes both).
 *
 * <p>Thread-safety: all methods from any thread, except that the synchronous ones must not be called from a
 * {@link MetadataPublisher.Listener} (the apply thread would wait for itself until the timeout). {@link #image()} is a volatile
 * read.
 */
public final class MetadataController implements MetadataPublisher, TopicAdmin, ReassignmentAdmin, ProducerIdSource,
        QuorumView, BrokerLifecycle, FeatureAdmin, ScramAdmin, AclAdmin, QuotaAdmin,
        AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataController.class);

    private final MetadataQuorum quorum;
    private final ControllerSettings settings;
    private final ControllerScheduler scheduler;
    private final ControllerStateMachine machine;
    private final Uuid incarnationId = Uuid.randomUuid();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private final Map<Integer, ControllerScheduler.Periodic> heartbeats = new ConcurrentHashMap<>();
    private final ControllerScheduler.Periodic leaderPoll;
    private long appliedIndex;

    private MetadataController(MetadataQuorum quorum, ControllerSettings settings, Time clock,
                               ControllerScheduler scheduler) {
        this.quorum = quorum;
        this.settings = settings;
        this.scheduler = scheduler;
        this.machine = new ControllerStateMachine(settings, clock,
                command -> quorum.append(ControllerCommandSerde.encode(command)), quorum::reconnect);
        machine.setApplyListener(this::onApplied);
        this.leaderPoll = scheduler.schedule("leader-duties", machine.leaderDuties()::poll,
                Math.max(10, Math.min(1000, settings.brokerHeartbeatIntervalMs())));
    }

    /** Joins the quorum on the system clock with its own scheduler thread; see the full overload. */
    public static MetadataController start(MetadataQuorum quorum, ControllerSettings settings,
                                           String proposedClusterId) throws IOException {
        return start(quorum, settings, proposedClusterId, Time.SYSTEM,
                ControllerScheduler.threaded("herald-controller"));
    }

    /**
     * Starts the quorum with the controller state machine (replaying the log), then, if the log holds no
     * cluster id yet, proposes {@code proposedClusterId} (e.g. from meta.properties; the first proposal in
     * the log wins) and waits for a bounded time for the cluster id to be decided.
     */
    public static MetadataController start(MetadataQuorum quorum, ControllerSettings settings,
                                           String proposedClusterId, Time clock,
                                           ControllerScheduler scheduler) throws IOException {
        MetadataController controller = new MetadataController(quorum, settings, clock, scheduler);
        quorum.start(controller.machine);
        if (controller.image().clusterId().isEmpty() && !proposedClusterId.isEmpty()) {
            try {
                controller.submit(new InitCluster(proposedClusterId));
            } catch (ApiException e) {
                log.warn("Proposing cluster id {} failed: {}; waiting for another member's", proposedClusterId,
                        e.toString());
            }
        }
        return controller;
    }

    @Override
    public ClusterImage image() {
        return machine.image();
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** This controller instance's broker incarnation id (random, new per process start). */
    public Uuid incarnationId() {
        return incarnationId;
    }

    /** The state machine this facade runs (tests, and the Raft transport's wiring). */
    public ControllerStateMachine stateMachine() {
        return machine;
    }

    /** The cluster id once the metadata log has one. */
    public String awaitClusterId(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (image().clusterId().isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("No cluster id in the metadata log after " + timeout.toMillis() + " ms.");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
        return image().clusterId();
    }

    /** Registers a broker with this instance's incarnation (see {@link #incarnationId()}). */
    @Override
    public void registerBroker(int brokerId, String host, int port, Optional<String> rack) {
        registerBroker(brokerId, host, port, rack, incarnationId);
    }

    /**
     * Registers a broker process; a new {@code incarnationId} for a known broker means it restarted: it
     * loses its leaderships and leaves ISRs where others remain, then is unfenced.
     *
     * @return the broker epoch of this incarnation
     */
    public long registerBroker(int brokerId, String host, int port, Optional<String> rack, Uuid incarnationId) {
        return ControllerReply.decodeLong(
                submit(new RegisterBroker(brokerId, host, port, rack, incarnationId)).payload());
    }

    @Override
    public void registerEndpoints(int brokerId, List<Endpoint> endpoints) {
        submit(new RegisterEndpoints(brokerId, incarnationId, endpoints));
    }

    /** Heartbeats for {@code brokerId} (with this instance's incarnation) every broker.heartbeat.interval.ms. */
    @Override
    public void startHeartbeats(int brokerId) {
        java.util.concurrent.atomic.AtomicBoolean inFlight = new java.util.concurrent.atomic.AtomicBoolean();
        heartbeats.computeIfAbsent(brokerId, id -> scheduler.schedule("heartbeat-" + id, () -> {
            // One heartbeat at a time: while the quorum has no leader a heartbeat waits up to the request
            // timeout, and piling up more behind it would only flood the new leader when one is elected.
            if (!inFlight.compareAndSet(false, true)) {
                return;
            }
            sendHeartbeat(id).whenComplete((ok, error) -> {
                inFlight.set(false);
                if (error != null) {
                    log.warn("Heartbeat of broker {} failed: {}", id, error.toString());
                }
            });
        }, settings.brokerHeartbeatIntervalMs()));
    }

    /** One heartbeat to the leader; completes exceptionally with the Kafka exception of a refusal. */
    public CompletableFuture<Void> sendHeartbeat(int brokerId) {
        return quorum.askLeader(ControllerCommandSerde.encode(new Heartbeat(brokerId, incarnationId)))
                .thenApply(bytes -> {
                    ControllerReply reply = ControllerReply.decode(bytes);
                    if (!reply.isSuccess()) {
                        throw new CompletionException(reply.exception());
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<Void> reportOfflineReplicas(int brokerId, Set<ReplicaKey> offline) {
        byte[] entry = ControllerCommandSerde.encode(new ControllerCommand.ReportOfflineReplicas(brokerId,
                incarnationId, List.copyOf(offline)));
        return quorum.append(entry)
                .thenCompose(bytes -> {
                    ControllerReply reply = ControllerReply.decode(bytes);
                    return whenApplied(reply.index()).thenApply(applied -> reply);
                })
                .orTimeout(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
                    if (error != null) {
                        throw new CompletionException(translate(error));
                    }
                    if (!reply.isSuccess()) {
                        throw new CompletionException(reply.exception());
                    }
                    return null;
                });
    }

    /**
     * Before a broker stops: stops its heartbeats, moves its leaderships to other ISR members and takes it
     * out of ISRs where others remain; the broker is fenced afterwards. Waits at most
     * {@code broker.session.timeout.ms}: a broker that cannot reach the quorum that long would be fenced by
     * then anyway, so a node that lost its quorum still stops promptly.
     */
    @Override
    public void controlledShutdown(int brokerId) {
        ControllerScheduler.Periodic heartbeat = heartbeats.remove(brokerId);
        if (heartbeat != null) {
            heartbeat.cancel();
        }
        submit(new ControlledShutdown(brokerId),
                Math.min(settings.requestTimeoutMs(), settings.brokerSessionTimeoutMs()));
    }

    /**
     * Creates a topic with {@code partitions} partitions of {@code replicationFactor} replicas each, placed
     * round-robin (rack-aware) over the unfenced brokers.
     *
     * @param validateOnly check everything, change nothing
     * @return the new topic (or the topic it would be)
     */
    @Override
    public TopicImage createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                                  boolean validateOnly) {
        return createTopic(new CreateTopic(name, partitions, replicationFactor, new TreeMap<>(), new TreeMap<>(configs)),
                validateOnly);
    }

    /** Creates a topic with explicit replica assignments (partition → replicas, partitions 0..n-1). */
    @Override
    public TopicImage createTopic(String name, Map<Integer, List<Integer>> assignments, Map<String, String> configs,
                                  boolean validateOnly) {
        return createTopic(new CreateTopic(name, assignments.size(),
                assignments.isEmpty() ? 0 : assignments.values().iterator().next().size(),
                new TreeMap<>(assignments), new TreeMap<>(configs)), validateOnly);
    }

    private TopicImage createTopic(CreateTopic command, boolean validateOnly) {
        ControllerReply reply = validateOnly ? validate(command) : submit(command);
        ClusterImage created = ClusterImage.EMPTY;
        for (MetadataRecord record : MetadataRecordSerde.fromBytes(reply.payload())) {
            created = created.apply(record);
        }
        return created.topic(command.name()).orElseThrow();
    }

    @Override
    public void deleteTopic(Uuid topicId) {
        submit(new DeleteTopic(topicId));
    }

    /** Grows a topic to {@code newCount} partitions; Kafka never shrinks a topic. */
    public void createPartitions(String name, int newCount, boolean validateOnly) {
        createPartitions(name, newCount, List.of(), validateOnly);
    }

    /** Grows a topic; {@code assignments} (one replica list per new partition) empty = automatic placement. */
    @Override
    public void createPartitions(String name, int newCount, List<List<Integer>> assignments, boolean validateOnly) {
        CreatePartitions command = new CreatePartitions(name, newCount, assignments);
        if (validateOnly) {
            validate(command);
        } else {
            submit(command);
        }
    }

    /** Sets (value present) or removes (empty) config overrides of one resource, atomically. */
    @Override
    public void alterConfigs(ResourceKind kind, String resourceName, Map<String, Optional<String>> changes) {
        if (kind == ResourceKind.TOPIC && image().topic(resourceName).isEmpty() || !changes.isEmpty()) {
            submit(new AlterConfigs(kind, resourceName, new TreeMap<>(changes)));
        }
    }

    @Override
    public void updateFeatures(int nodeId, Map<String, FeatureChange> changes, boolean validateOnly) {
        UpdateFeatures command = new UpdateFeatures(nodeId, new TreeMap<>(changes));
        if (validateOnly) {
            validate(command);
        } else {
            submit(command);
        }
    }

    /**
     * Alters SCRAM credentials in one log entry. The keys are derived from the salted passwords here, before the
     * command is appended, so that the metadata log never holds a salted password (see {@link ScramUpsertion}).
     */
    @Override
    public Map<String, ApiError> alterScramCredentials(List<ScramAdmin.Deletion> deletions,
                                                       List<ScramAdmin.Upsertion> upsertions) {
        List<ScramDeletion> toDelete = deletions.stream().map(d -> new ScramDeletion(d.user(), d.mechanism()))
                .toList();
        List<ScramUpsertion> toUpsert = upsertions.stream().map(u -> ScramControl.upsertion(u.user(), u.mechanism(),
                u.iterations(), u.salt(), u.saltedPassword())).toList();
        ControllerReply reply = submit(new AlterScramCredentials(toDelete, toUpsert));
        Map<String, ApiError> results = new LinkedHashMap<>();
        ControllerReply.decodeUserErrors(reply.payload()).forEach(e -> results.put(e.user(),
                ControllerReply.apiError(e.errorCode(), e.message())));
        return results;
    }

    /** Creates ACL bindings in one log entry; no entry for no binding. */
    @Override
    public List<ApiError> createAcls(List<AclBinding> bindings) {
        if (bindings.isEmpty()) {
            return List.of();
        }
        return ControllerReply.decodeAclResults(submit(new CreateAcls(bindings)).payload()).stream()
                .map(r -> ControllerReply.apiError(r.errorCode(), r.message())).toList();
    }

    /** Deletes the ACL bindings the filters match, in one log entry; no entry for no filter. */
    @Override
    public List<AclAdmin.FilterResult> deleteAcls(List<AclBindingFilter> filters) {
        if (filters.isEmpty()) {
            return List.of();
        }
        return ControllerReply.decodeAclResults(submit(new DeleteAcls(filters)).payload()).stream()
                .map(r -> new AclAdmin.FilterResult(
                        ControllerReply.apiError(r.errorCode(), r.message()), r.bindings())).toList();
    }

    /** Alters client quotas in one log entry (none for no alteration, or when only validating). */
    @Override
    public Map<QuotaEntity, ApiError> alterClientQuotas(List<QuotaAdmin.Alteration> alterations,
                                                        boolean validateOnly) {
        if (alterations.isEmpty()) {
            return Map.of();
        }
        AlterClientQuotas command = new AlterClientQuotas(alterations);
        ControllerReply reply = validateOnly ? validate(command) : submit(command);
        Map<QuotaEntity, ApiError> results = new LinkedHashMap<>();
        ControllerReply.decodeEntityErrors(reply.payload()).forEach(e -> results.put(e.entity(),
                ControllerReply.apiError(e.errorCode(), e.message())));
        return results;
    }

    /**
     * Reserves {@code blockSize} producer ids for a broker, durably, so no id is handed out twice even across
     * restarts (the unused rest of a block is simply skipped).
     *
     * @return the first id of the block
     */
    @Override
    public long reserveProducerIds(int brokerId, int blockSize) {
        return ControllerReply.decodeLong(submit(new ReserveProducerIds(brokerId, blockSize)).payload());
    }

    /** ISR change from a partition leader (Kafka's AlterPartition); see CONTRACTS.md for the errors. */
    public CompletableFuture<PartitionImage> alterPartition(int brokerId, Uuid topicId, int partition,
                                                            int leaderEpoch, int partitionEpoch,
                                                            List<Integer> newIsr) {
        CompletableFuture<PartitionImage> result = new CompletableFuture<>();
        byte[] entry = ControllerCommandSerde.encode(
                new AlterPartition(brokerId, topicId, partition, leaderEpoch, partitionEpoch, newIsr));
        quorum.append(entry)
                .thenCompose(bytes -> {
                    ControllerReply reply = ControllerReply.decode(bytes);
                    return whenApplied(reply.index()).thenApply(applied -> reply);
                })
                .orTimeout(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        result.completeExceptionally(translate(error));
                    } else if (!reply.isSuccess()) {
                        result.completeExceptionally(reply.exception());
                    } else {
                        PartitionRecord p = (PartitionRecord) MetadataRecordSerde.fromBytes(reply.payload()).get(0);
                        result.complete(new PartitionImage(p.partition(), p.replicas(), p.isr(), p.leader(),
                                p.leaderEpoch(), p.partitionEpoch(), p.addingReplicas(), p.removingReplicas()));
                    }
                });
        return result;
    }

    /**
     * Starts (target present) or cancels (empty) partition reassignments, atomically.
     *
     * @return per partition {@link ApiError#NONE} or the Kafka error (NO_REASSIGNMENT_IN_PROGRESS,
     *         INVALID_REPLICA_ASSIGNMENT, UNKNOWN_TOPIC_OR_PARTITION)
     */
    @Override
    public Map<TopicPartition, ApiError> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets) {
        List<Reassignment> reassignments = new ArrayList<>();
        targets.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition)))
                .forEach(e -> reassignments.add(new Reassignment(e.getKey().topic(), e.getKey().partition(),
                        e.getValue())));
        return toApiErrors(submit(new AlterReassignments(reassignments)));
    }

    /** The reassignments in progress, from this node's image. */
    @Override
    public Map<TopicPartition, PartitionReassignment> listPartitionReassignments() {
        return PartitionControl.reassignments(image());
    }

    /**
     * Elects preferred leaders, or with {@code unclean} a leader for leaderless partitions from any live
     * replica.
     *
     * @param partitions the partitions, or null for all (then only partitions an election was tried for are
     *                   reported, as in Kafka)
     * @return per partition {@link ApiError#NONE} or ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
     *         ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION
     */
    @Override
    public Map<TopicPartition, ApiError> electLeaders(boolean unclean, Set<TopicPartition> partitions) {
        Optional<List<PartitionRef>> refs = partitions == null ? Optional.empty()
                : Optional.of(partitions.stream()
                        .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                        .map(tp -> new PartitionRef(tp.topic(), tp.partition())).toList());
        return toApiErrors(submit(new ElectLeaders(unclean, refs)));
    }

    private static Map<TopicPartition, ApiError> toApiErrors(ControllerReply reply) {
        Map<TopicPartition, ApiError> result = new LinkedHashMap<>();
        ControllerReply.decodePartitionErrors(reply.payload()).forEach(e -> result.put(new TopicPartition(e.topic(),
                e.partition()), e.errorCode() == 0 ? ApiError.NONE : new ApiError(e.error(), e.message())));
        return result;
    }

    /**
     * The quorum as its leader sees it (DescribeQuorum). No reachable leader fails the future with Kafka's
     * NOT_LEADER_OR_FOLLOWER, the error DescribeQuorum gives when the asked node does not lead.
     */
    @Override
    public CompletableFuture<QuorumDescription> describeQuorum() {
        return quorum.describe().exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            return CompletableFuture.failedFuture(cause instanceof MetadataQuorum.NoLeaderException
                    ? new org.apache.kafka.common.errors.NotLeaderOrFollowerException(cause.getMessage())
                    : cause);
        });
    }

    /** Appends the command, waits until this node applied it, and throws the decision's Kafka error. */
    private ControllerReply submit(ControllerCommand command) {
        return submit(command, settings.requestTimeoutMs());
    }

    private ControllerReply submit(ControllerCommand command, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        ControllerReply reply = ControllerReply.decode(await(quorum.append(ControllerCommandSerde.encode(command)),
                deadline, command));
        await(whenApplied(reply.index()), deadline, command);
        if (!reply.isSuccess()) {
            throw reply.exception();
        }
        return reply;
    }

    /** Decides the command on the leader without writing the log. */
    private ControllerReply validate(ControllerCommand command) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
        ControllerReply reply = ControllerReply.decode(await(
                quorum.askLeader(ControllerCommandSerde.encode(new Validate(command))), deadline, command));
        if (!reply.isSuccess()) {
            throw reply.exception();
        }
        return reply;
    }

    private static <T> T await(CompletableFuture<T> future, long deadlineNanos, ControllerCommand command) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("Controller command " + command.getClass().getSimpleName()
                    + " was not applied in time.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    private static ApiException translate(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return switch (cause) {
            case ApiException api -> api;
            case MetadataQuorum.NoLeaderException noLeader -> new NotControllerException(noLeader.getMessage());
            case java.util.concurrent.TimeoutException timeout ->
                    new TimeoutException("The controller did not answer in time.");
            default -> new UnknownServerException("Metadata quorum failure: " + cause, cause);
        };
    }

    /** Completes once this node has applied the entry at {@code index}. */
    private CompletableFuture<Void> whenApplied(long index) {
        synchronized (waiters) {
            if (appliedIndex >= index) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> applied = new CompletableFuture<>();
            waiters.computeIfAbsent(index, i -> new ArrayList<>()).add(applied);
            return applied;
        }
    }

    private void onApplied(long index, ClusterImage previous, ClusterImage current) {
        if (previous != current) {
            for (Listener listener : listeners) {
                try {
                    listener.onImage(previous, current);
                } catch (RuntimeException e) {
                    log.error("Metadata listener {} failed on the image after entry {}", listener, index, e);
                }
            }
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (waiters) {
            appliedIndex = Math.max(appliedIndex, index);
            var head = waiters.headMap(appliedIndex, true);
            head.values().forEach(done::addAll);
            head.clear();
        }
        done.forEach(f -> f.complete(null));
    }

    /** Stops heartbeats and leader duties, then closes the quorum. Does not shut the broker down politely. */
    @Override
    public void close() throws IOException {
        heartbeats.values().forEach(ControllerScheduler.Periodic::cancel);
        heartbeats.clear();
        leaderPoll.cancel();
        scheduler.close();
        quorum.close();
    }
}
