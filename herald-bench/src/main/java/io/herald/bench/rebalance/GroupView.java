package io.herald.bench.rebalance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The latest owned-partition set each member has reported ({@code ASSIGNED} lines), and the questions the
 * benchmark asks about them: is the group stable (every listed member owns something, the sets are disjoint and
 * cover every partition), and since when. Members report from their own JVMs; lines from different members
 * arrive on different reader threads, so every method is synchronized, and {@link #awaitChange} lets the
 * benchmark thread sleep until a line arrives.
 */
final class GroupView {
    private final int partitions;
    private final List<Optional<Report>> latest = new ArrayList<>();
    private final List<Optional<String>> errors = new ArrayList<>();

    /** One {@code ASSIGNED} line: when the member printed it, and its full owned set. */
    record Report(long epochMillis, Set<Integer> owned) {
        Report {
            owned = Set.copyOf(owned);
        }
    }

    GroupView(int members, int partitions) {
        this.partitions = partitions;
        for (int i = 0; i < members; i++) {
            latest.add(Optional.empty());
            errors.add(Optional.empty());
        }
    }

    /** Parses one stdout line of member {@code member}; lines that are not ASSIGNED/ERROR are ignored. */
    synchronized void onLine(int member, String line) {
        String[] parts = line.trim().split(" ", 3);
        if (parts.length >= 2 && parts[0].equals("ASSIGNED")) {
            Set<Integer> owned = new HashSet<>();
            if (parts.length == 3 && !parts[2].isBlank()) {
                for (String p : parts[2].split(",")) {
                    owned.add(Integer.parseInt(p.trim()));
                }
            }
            latest.set(member, Optional.of(new Report(Long.parseLong(parts[1]), owned)));
            notifyAll();
        } else if (parts.length >= 1 && parts[0].equals("ERROR")) {
            errors.set(member, Optional.of(line.trim()));
            notifyAll();
        }
    }

    synchronized Optional<String> firstError() {
        return errors.stream().flatMap(Optional::stream).findFirst();
    }

    /**
     * When the given members' latest sets became a stable assignment: each non-empty, pairwise disjoint, covering
     * every partition; the time is the later of their last reports (the moment the last of them printed). Empty
     * when they are not stable now.
     */
    synchronized OptionalLong stableSince(List<Integer> group) {
        Set<Integer> union = new HashSet<>();
        int total = 0;
        long since = Long.MIN_VALUE;
        for (int m : group) {
            Optional<Report> r = latest.get(m);
            if (r.isEmpty() || r.get().owned().isEmpty()) {
                return OptionalLong.empty();
            }
            union.addAll(r.get().owned());
            total += r.get().owned().size();
            since = Math.max(since, r.get().epochMillis());
        }
        boolean stable = total == partitions && union.size() == partitions;
        return stable ? OptionalLong.of(since) : OptionalLong.empty();
    }

    /** The latest report's time over all members, or empty when none reported yet. */
    synchronized OptionalLong lastReportMillis() {
        return latest.stream().flatMap(Optional::stream).mapToLong(Report::epochMillis).max();
    }

    /** Waits until a line arrives or {@code maxMillis} passes. */
    synchronized void awaitChange(long maxMillis) throws InterruptedException {
        if (maxMillis > 0) {
            wait(maxMillis);
        }
    }
}
