package io.herald.bench.load;

import java.time.Duration;

/**
 * How long and how much: the knobs that {@code --quick} turns down.
 *
 * @param warmup          traffic before measuring (JIT, page cache, producer buffers)
 * @param produceDuration measured part of a produce workload
 * @param latencyDuration measured part of a latency workload
 * @param idleSettle      wait after startup before sampling the idle resident memory
 */
public record LoadSettings(Duration warmup, Duration produceDuration, Duration latencyDuration, Duration idleSettle) {
}
