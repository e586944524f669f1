package io.herald.server.node;

import io.herald.common.time.Time;
import io.herald.http.HttpConfig;
import io.herald.http.console.ConsoleApi;
import io.herald.http.metrics.MetricsEndpoint;
import io.herald.http.rest.RestApi;
import io.herald.http.server.HttpServer;
import io.herald.http.server.Router;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's meters and its HTTP listener: one Prometheus registry with the JVM's and the process's meters (memory,
 * GC, threads, classes, CPU, uptime, file descriptors), to which the broker adds its own, served on
 * {@code herald.http.listener} at {@code /metrics}, beside the REST API ({@link RestApi}) and the web console
 * ({@link ConsoleApi}) at {@code /}.
 *
 * <p>An HTTP listener that cannot bind (its port taken, say by another node of a local cluster) is logged and
 * left out: the node serves Kafka clients without it.
 *
 * <p>Thread-safety: {@link #startHttp} and {@link #close} from the node's lifecycle thread.
 */
final class NodeObservability implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeObservability.class);
    /** How often the console's history samples rates, sizes and lag (it keeps an hour). */
    private static final Duration CONSOLE_SAMPLE_INTERVAL = Duration.ofSeconds(10);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private Optional<HttpServer> http = Optional.empty();
    private Optional<RestApi> rest = Optional.empty();
    private Optional<ConsoleApi> console = Optional.empty();

    NodeObservability() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Starts the HTTP listener if {@code herald.http.enable}: {@code /metrics} ({@code beforeScrape} refreshes the
     * meters read on demand) and the REST API, a Kafka client of this broker's listener at {@code bootstrap}.
     */
    void startHttp(HttpConfig config, Runnable beforeScrape, String bootstrap) {
        if (!config.enabled()) {
            return;
        }
        MetricsEndpoint metrics = new MetricsEndpoint(registry, beforeScrape);
        Router router = new Router().get("/metrics", metrics);
        RestApi api = new RestApi(bootstrap);
        api.register(router);
        rest = Optional.of(api);
        ConsoleApi webConsole = new ConsoleApi(api.clients(), registry, metrics::refresh, Time.SYSTEM,
                CONSOLE_SAMPLE_INTERVAL);
        webConsole.register(router);
        console = Optional.of(webConsole);
        HttpServer server = new HttpServer(config.host(), config.port(), router);
        try {
            server.start();
            http = Optional.of(server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("Not serving HTTP: binding {} failed: {}; Kafka clients are served without it",
                    "http://" + config.host() + ":" + config.port(), e.toString());
        }
    }

    /** The HTTP listener's port, empty when it does not run. */
    OptionalInt httpPort() {
        return http.map(s -> OptionalInt.of(s.boundPort())).orElse(OptionalInt.empty());
    }

    @Override
    public void close() {
        http.ifPresent(HttpServer::close);
        console.ifPresent(ConsoleApi::close);
        rest.ifPresent(RestApi::close);
        gc.close();
        registry.close();
    }
}
