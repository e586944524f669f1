package io.herald.broker.metrics;

import io.herald.metadata.quorum.QuorumDescription;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The metadata quorum as its leader describes it: {@code herald_quorum_leader_id} (-1 while no leader answers),
 * {@code herald_quorum_leader_epoch}, {@code herald_quorum_high_watermark}, and per member
 * ({@code node}, {@code role} = voter or observer) {@code herald_quorum_replica_lag}: the high watermark minus
 * how far the member is known to have the log (the commit lag).
 *
 * <p>{@link #refresh} waits for the description (bounded); it runs on the scraping thread.
 */
public final class QuorumMetrics {
    private final Supplier<CompletableFuture<QuorumDescription>> describe;
    private final long timeoutMs;
    private volatile Optional<QuorumDescription> last = Optional.empty();
    private final MultiGauge lag;

    public QuorumMetrics(MeterRegistry registry, Supplier<CompletableFuture<QuorumDescription>> describe,
                         long timeoutMs) {
        this.describe = describe;
        this.timeoutMs = timeoutMs;
        Gauge.builder("herald.quorum.leader.id", this, m -> m.last.map(QuorumDescription::leaderId).orElse(-1))
                .description("Node id of the metadata quorum's leader, -1 without one").register(registry);
        Gauge.builder("herald.quorum.leader.epoch", this, m -> m.last.map(QuorumDescription::leaderEpoch).orElse(-1L))
                .description("The metadata quorum leader's epoch").register(registry);
        Gauge.builder("herald.quorum.high.watermark", this,
                        m -> m.last.map(QuorumDescription::highWatermark).orElse(-1L))
                .description("The metadata log's committed offset").register(registry);
        lag = MultiGauge.builder("herald.quorum.replica.lag")
                .description("Metadata log entries a quorum member is behind the high watermark").register(registry);
    }

    /** Asks the quorum leader for its description; no answer in time means no leader. */
    public void refresh() {
        Optional<QuorumDescription> now;
        try {
            now = Optional.of(describe.get().get(timeoutMs, TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            now = Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            now = Optional.empty();
        }
        last = now;
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        now.ifPresent(q -> {
            addLags(rows, q, q.voters(), "voter");
            addLags(rows, q, q.observers(), "observer");
        });
        lag.register(rows, true);
    }

    private static void addLags(List<MultiGauge.Row<?>> rows, QuorumDescription quorum,
                                List<QuorumDescription.Replica> members, String role) {
        for (QuorumDescription.Replica member : members) {
            if (member.logEndOffset() >= 0) {
                rows.add(MultiGauge.Row.of(Tags.of("node", String.valueOf(member.nodeId()), "role", role),
                        Math.max(0, quorum.highWatermark() - member.logEndOffset())));
            }
        }
    }
}
