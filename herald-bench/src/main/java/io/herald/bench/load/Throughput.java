package io.herald.bench.load;

/** Records and value bytes moved in a measured interval. MB = 10^6 bytes of record values (no overhead). */
public record Throughput(long records, long bytes, long nanos) {

    public double recordsPerSecond() {
        return records * 1e9 / nanos;
    }

    public double megabytesPerSecond() {
        return bytes * 1e9 / nanos / 1e6;
    }
}
