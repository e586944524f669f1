package io.herald.bench.load;

/** What a transactional produce run measured: its records and bytes, and its commits, over the same interval. */
public record TransactionalThroughput(Throughput throughput, Commits commits) {

    public TransactionalThroughput {
        if (throughput.nanos() != commits.nanos()) {
            throw new IllegalArgumentException("throughput over " + throughput.nanos() + " ns, commits over "
                    + commits.nanos() + " ns (expected: the same interval)");
        }
    }
}
