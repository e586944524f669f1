package io.herald.server.node;

import io.herald.common.time.Time;
import io.herald.http.HttpConfig;
import io.herald.http.console.ConsoleApi;
import io.herald.http.metrics.MetricsEndpoint;
import io.herald.http.rest.BasicAuthentication;
import io.herald.http.rest.LocalClients;
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
import io.netty.handler.ssl.SslContext;
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
     * Starts the HTTP listener if {@code herald.http.enable}, over TLS with {@code tls} when present:
     * {@code /metrics} ({@code beforeScrape} refreshes the meters read on demand), the REST API and the console,
     * whose Kafka clients are {@code clients} (of this broker's own listener). When those clients log in as their
     * caller, REST and console API calls need HTTP Basic credentials ({@link BasicAuthentication}); {@code /metrics}
     * and the console's static files do not.
     */
    void startHttp(HttpConfig config, Optional<SslContext> tls, Runnable beforeScrape, LocalClients clients) {
        if (!config.enabled()) {
            clients.close();
            return;
        }
        MetricsEndpoint metrics = new MetricsEndpoint(registry, beforeScrape);
        Router router = new Router().get("/metrics", metrics);
        RestApi api = new RestApi(clients);
        api.register(router);
        rest = Optional.of(api);
        ConsoleApi webConsole = new ConsoleApi(api.clients(), registry, metrics::refresh, Time.SYSTEM,
                CONSOLE_SAMPLE_INTERVAL);
        webConsole.register(router);
        console = Optional.of(webConsole);
        if (clients.perUser()) {
            router.wrap(BasicAuthentication::protects, BasicAuthentication.requiring(clients));
        }
        HttpServer server = new HttpServer(config.host(), config.port(), router, tls);
        try {
            server.start();
            http = Optional.of(server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("Not serving HTTP: binding {} failed: {}; Kafka clients are served without it",
                    (config.tls() ? "https://" : "http://") + config.host() + ":" + config.port(), e.toString());
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
