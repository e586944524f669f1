package io.herald.http.metrics;

import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpEndpoint;
import io.herald.http.server.HttpReply;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the registry in Prometheus' text format (version 0.0.4), after {@code beforeScrape} has
 * refreshed the meters read on demand (group lag, log sizes, the quorum). Scrapes are serialized, so two
 * scrapers do not refresh at once.
 */
public final class MetricsEndpoint implements HttpEndpoint {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Runnable beforeScrape;

    public MetricsEndpoint(PrometheusMeterRegistry registry, Runnable beforeScrape) {
        this.registry = registry;
        this.beforeScrape = beforeScrape;
    }

    @Override
    public synchronized HttpReply handle(HttpCall call) {
        beforeScrape.run();
        return new HttpReply(200, CONTENT_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    /** Refreshes the on-demand meters, serialized with scrapes (the console's history samples this way). */
    public synchronized void refresh() {
        beforeScrape.run();
    }
}
