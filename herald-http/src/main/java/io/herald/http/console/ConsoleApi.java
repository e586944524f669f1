package io.herald.http.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.time.Time;
import io.herald.http.rest.LocalClients;
import io.herald.http.rest.RestErrors;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpEndpoint;
import io.herald.http.server.HttpReply;
import io.herald.http.server.Router;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.QuorumInfo;

/**
 * The web console at {@code /}: a page of plain JavaScript over the REST API (no build step; uPlot from its
 * WebJar for the charts, served from the class path so nothing comes from a CDN), and the few calls the REST API
 * has no place for: the last hour of rates, sizes and lag ({@link MetricsHistory}), the metadata quorum, and the
 * dead-letter topics with their replay ({@link DeadLetterReplay}).
 *
 * <p>Thread-safety: endpoints run on HTTP workers; the history samples on its own thread until {@link #close}.
 */
public final class ConsoleApi implements AutoCloseable {
    /** uPlot's version: the WebJar dependency's in herald-http's pom (ConsoleApiTest loads its files). */
    static final String UPLOT_VERSION = "1.6.30";
    static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final String STATIC = "io/herald/http/console/static/";

    private final LocalClients clients;
    private final MetricsHistory history;
    private final DeadLetterReplay deadLetters;

    /**
     * @param refresh        re-reads the broker's on-demand meters before a history sample
     * @param sampleInterval how often the history samples (10 s in a broker); it keeps an hour
     */
    public ConsoleApi(LocalClients clients, MeterRegistry registry, Runnable refresh, Time time,
                      Duration sampleInterval) {
        this.clients = clients;
        this.history = new MetricsHistory(registry, refresh, time, sampleInterval, Duration.ofHours(1));
        this.deadLetters = new DeadLetterReplay(clients);
    }

    public void register(Router router) {
        router.get("/", StaticContent.file(STATIC, "index.html"))
                .get("/console/{file}", StaticContent.directory(STATIC))
                .get("/webjars/uplot/{file}", StaticContent.directory(UPLOT))
                .get("/console/api/history", call -> ConsoleJson.ok(history.json()))
                .get("/console/api/quorum", guarded(this::quorum))
                .get("/console/api/dlq", guarded(this::deadLetterTopics))
                .post("/console/api/dlq/{topic}/replay", guarded(this::replay));
        history.start();
    }

    private HttpReply quorum(HttpCall call) throws Exception {
        QuorumInfo quorum = clients.admin().describeMetadataQuorum().quorumInfo().get(15, TimeUnit.SECONDS);
        ObjectNode node = ConsoleJson.MAPPER.createObjectNode().put("leader_id", quorum.leaderId())
                .put("leader_epoch", quorum.leaderEpoch()).put("high_watermark", quorum.highWatermark());
        replicas(node.putArray("voters"), quorum.voters(), quorum.highWatermark());
        replicas(node.putArray("observers"), quorum.observers(), quorum.highWatermark());
        return ConsoleJson.ok(node);
    }

    private static void replicas(ArrayNode array, java.util.List<QuorumInfo.ReplicaState> replicas, long hw) {
        for (QuorumInfo.ReplicaState r : replicas) {
            array.addObject().put("node_id", r.replicaId()).put("log_end_offset", r.logEndOffset())
                    .put("lag", Math.max(0, hw - r.logEndOffset()))
                    .put("last_caught_up_ms", r.lastCaughtUpTimestamp().orElse(-1));
        }
    }

    private HttpReply deadLetterTopics(HttpCall call) throws Exception {
        ArrayNode data = ConsoleJson.MAPPER.createArrayNode();
        for (DeadLetterReplay.DeadLetterTopic t : deadLetters.topics()) {
            data.addObject().put("topic", t.topic()).put("records", t.records()).put("pending", t.pending());
        }
        ObjectNode node = ConsoleJson.MAPPER.createObjectNode();
        node.set("data", data);
        return ConsoleJson.ok(node);
    }

    private HttpReply replay(HttpCall call) throws Exception {
        DeadLetterReplay.Result result = deadLetters.replay(call.pathParam("topic"), call.queryParam("to"));
        return ConsoleJson.ok(ConsoleJson.MAPPER.createObjectNode().put("replayed", result.replayed())
                .put("skipped", result.skipped()));
    }

    private static HttpEndpoint guarded(HttpEndpoint endpoint) {
        return call -> {
            try {
                return endpoint.handle(call);
            } catch (Exception e) {
                return RestErrors.reply(e);
            }
        };
    }

    @Override
    public void close() {
        history.close();
    }
}
