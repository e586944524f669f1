package io.herald.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MalformedRequestLogTest {
    private final ManualTime time = new ManualTime();
    private final List<String> lines = new ArrayList<>();
    private final MalformedRequestLog log = new MalformedRequestLog(time, lines::add);

    private static InetSocketAddress from(int host, int port) {
        return new InetSocketAddress("10.0.0." + host, port);
    }

    @Test
    void aFloodGetsAFewLinesAndOneSummaryPerMinute() {
        for (int i = 0; i < 1000; i++) {
            log.connectionClosed(from(i % 3, 40000 + i), "invalid request size -1");
        }
        assertThat(lines).hasSize(MalformedRequestLog.FIRST_LINES)
            .allSatisfy(l -> assertThat(l).startsWith("Closing connection from /10.0.0."));

        time.advance(MalformedRequestLog.WINDOW_MS - 1);
        log.maybeLogSummary();
        assertThat(lines).hasSize(MalformedRequestLog.FIRST_LINES);

        time.advance(1);
        log.maybeLogSummary();
        assertThat(lines).hasSize(MalformedRequestLog.FIRST_LINES + 1).last().isEqualTo(
            "1000 connections closed for malformed requests in the last minute, from 3 addresses (5 logged above)");

        // A new window logs its first closures again, and a quiet one has no summary.
        log.connectionClosed(from(9, 1), "unknown API key 99");
        assertThat(lines).last().isEqualTo("Closing connection from /10.0.0.9:1: unknown API key 99");
        time.advance(MalformedRequestLog.WINDOW_MS);
        log.maybeLogSummary();
        assertThat(lines).hasSize(MalformedRequestLog.FIRST_LINES + 2);
    }
}
