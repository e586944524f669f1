package io.herald.it.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Judges one fault scenario from what the clients saw and what the cluster holds afterwards. Per partition:
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged value that does not appear in the read-back at all;</li>
 *   <li><b>duplicated</b>: an acknowledged value that appears more than once (idempotence must prevent it);</li>
 *   <li><b>reordered</b>: an acknowledged value found once but not at its acknowledged offset, or out of
 *       acknowledgement order relative to the previous acknowledged value;</li>
 *   <li><b>unacked present</b>: values in the log never acknowledged (sent, outcome unknown to the client):
 *       allowed, reported;</li>
 *   <li><b>longest gap</b>: the longest time between two consecutive acknowledgements (how long the partition
 *       was unavailable to an acks=all producer);</li>
 *   <li><b>commit regressions</b>: a committed group offset, as the broker returned it, smaller than one it
 *       returned before, or beyond the end of the log;</li>
 *   <li><b>replicas</b>: every replica's log bytes cut to the high watermark ({@link LogPrefix}) are identical
 *       and reach the high watermark.</li>
 * </ul>
 *
 * A scenario passes when nothing is lost, duplicated or reordered, commits are monotonic and replicas agree.
 * Stateless and thread-safe; the inputs are values.
 */
final class FaultChecker {

    /** An acknowledged send: the value is unique per run and is the record's identity (keys are not used). */
    record Acked(long offset, String value, long ackedNanos) {
    }

    /** A record read back from the partition, from offset 0 to the high watermark. */
    record Read(long offset, String value) {
    }

    /** One replica of one partition: the node and its log bytes (segment files concatenated). */
    record Replica(int node, byte[] log) {
    }

    /** Everything known about one partition after a scenario. */
    record PartitionInput(int partition, List<Acked> acks, List<Read> log, List<Long> commits,
                          long highWatermark, List<Replica> replicas) {
        PartitionInput {
            acks = List.copyOf(acks);
            log = List.copyOf(log);
            commits = List.copyOf(commits);
            replicas = List.copyOf(replicas);
        }
    }

    /** The verdict for one partition. */
    record PartitionReport(int partition, int acknowledged, int lost, int duplicated, int reordered,
                           int unackedPresent, long longestGapMs, int commitRegressions, boolean replicasIdentical,
                           List<String> problems) {
        boolean passed() {
            return problems.isEmpty();
        }
    }

    /** The verdict for a scenario: every partition's. */
    record Report(List<PartitionReport> partitions) {
        boolean passed() {
            return partitions.stream().allMatch(PartitionReport::passed);
        }

        int sum(java.util.function.ToIntFunction<PartitionReport> field) {
            return partitions.stream().mapToInt(field).sum();
        }

        long longestGapMs() {
            return partitions.stream().mapToLong(PartitionReport::longestGapMs).max().orElse(0);
        }

        boolean replicasIdentical() {
            return partitions.stream().allMatch(PartitionReport::replicasIdentical);
        }

        List<String> problems() {
            return partitions.stream().flatMap(p -> p.problems().stream().map(s -> "p" + p.partition() + ": " + s))
                    .toList();
        }
    }

    private static final int MAX_EXAMPLES = 5;

    private FaultChecker() {
    }

    static Report check(List<PartitionInput> partitions) {
        return check(partitions, 0);
    }

    /**
     * As {@link #check(List)}; {@code faultNanos} (a {@link System#nanoTime()} reading, 0 for none) is when the
     * fault was injected, so that lost records are reported by when they were acknowledged relative to it.
     */
    static Report check(List<PartitionInput> partitions, long faultNanos) {
        return new Report(partitions.stream().map(p -> checkPartition(p, faultNanos)).toList());
    }

    static PartitionReport checkPartition(PartitionInput in) {
        return checkPartition(in, 0);
    }

    private static PartitionReport checkPartition(PartitionInput in, long faultNanos) {
        List<String> problems = new ArrayList<>();
        Map<String, List<Long>> offsetsOfValue = new HashMap<>();
        for (Read read : in.log()) {
            offsetsOfValue.computeIfAbsent(read.value(), v -> new ArrayList<>()).add(read.offset());
        }
        Set<String> ackedValues = new TreeSet<>();
        List<String> lost = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> reordered = new ArrayList<>();
        long firstLostAck = Long.MAX_VALUE;
        long lastLostAck = Long.MIN_VALUE;
        long previousOffset = -1;
        for (Acked ack : in.acks()) {
            ackedValues.add(ack.value());
            List<Long> found = offsetsOfValue.getOrDefault(ack.value(), List.of());
            if (found.isEmpty()) {
                lost.add(ack.value() + "@" + ack.offset());
                firstLostAck = Math.min(firstLostAck, ack.ackedNanos());
                lastLostAck = Math.max(lastLostAck, ack.ackedNanos());
                continue;
            }
            if (found.size() > 1) {
                duplicated.add(ack.value() + "@" + found);
            }
            long at = found.get(0);
            if (at != ack.offset() || at <= previousOffset) {
                reordered.add(ack.value() + " acked@" + ack.offset() + " read@" + at);
            }
            previousOffset = at;
        }
        int unackedPresent = (int) in.log().stream().filter(r -> !ackedValues.contains(r.value())).count();
        report(problems, "lost", lost);
        if (!lost.isEmpty() && faultNanos != 0) {
            problems.add("the lost records were acknowledged "
                    + TimeUnit.NANOSECONDS.toMillis(firstLostAck - faultNanos) + " to "
                    + TimeUnit.NANOSECONDS.toMillis(lastLostAck - faultNanos) + " ms after the fault");
        }
        if (!lost.isEmpty()) {
            problems.add(readBackSummary(in));
        }
        report(problems, "duplicated", duplicated);
        report(problems, "reordered", reordered);

        int regressions = commitRegressions(in, problems);
        boolean identical = replicasIdentical(in, problems);
        return new PartitionReport(in.partition(), in.acks().size(), lost.size(), duplicated.size(),
                reordered.size(), unackedPresent, longestGapMs(in.acks()), regressions, identical,
                List.copyOf(problems));
    }

    private static long longestGapMs(List<Acked> acks) {
        long longest = 0;
        for (int i = 1; i < acks.size(); i++) {
            longest = Math.max(longest, acks.get(i).ackedNanos() - acks.get(i - 1).ackedNanos());
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }

    private static int commitRegressions(PartitionInput in, List<String> problems) {
        List<String> bad = new ArrayList<>();
        for (int i = 1; i < in.commits().size(); i++) {
            if (in.commits().get(i) < in.commits().get(i - 1)) {
                bad.add(in.commits().get(i - 1) + " -> " + in.commits().get(i));
            }
        }
        for (long commit : in.commits()) {
            if (commit > in.highWatermark()) {
                bad.add(commit + " beyond high watermark " + in.highWatermark());
                break;
            }
        }
        report(problems, "commit regressions", bad);
        return bad.size();
    }

    private static boolean replicasIdentical(PartitionInput in, List<String> problems) {
        if (in.replicas().isEmpty()) {
            problems.add("no replica logs to compare");
            return false;
        }
        Map<Integer, byte[]> prefixes = new TreeMap<>();
        boolean identical = true;
        for (Replica replica : in.replicas()) {
            byte[] prefix = LogPrefix.belowHighWatermark(replica.log(), in.highWatermark());
            prefixes.put(replica.node(), prefix);
            long end = LogPrefix.endOffset(prefix);
            if (end < in.highWatermark()) {
                problems.add("replica on node " + replica.node() + " ends at offset " + end + " below the high "
                        + "watermark " + in.highWatermark());
                identical = false;
            }
        }
        byte[] reference = prefixes.values().iterator().next();
        for (Map.Entry<Integer, byte[]> entry : prefixes.entrySet()) {
            if (!Arrays.equals(reference, entry.getValue())) {
                problems.add("replica on node " + entry.getKey() + " differs below the high watermark ("
                        + entry.getValue().length + " bytes vs " + reference.length + ", first difference at byte "
                        + Arrays.mismatch(reference, entry.getValue()) + ")");
                identical = false;
            }
        }
        return identical;
    }

    /**
     * Where the read-back ended and where it skipped offsets, to tell a record missing from the log from one the
     * read-back did not fetch (a fetch that skipped, a stale end offset).
     */
    private static String readBackSummary(PartitionInput in) {
        List<String> gaps = new ArrayList<>();
        long previous = -1;
        for (Read read : in.log()) {
            if (previous >= 0 && read.offset() != previous + 1) {
                gaps.add(previous + 1 + ".." + (read.offset() - 1));
            }
            previous = read.offset();
        }
        String range = in.log().isEmpty() ? "nothing"
                : in.log().size() + " records at offsets " + in.log().get(0).offset() + ".." + previous;
        return "the read-back got " + range + " (high watermark " + in.highWatermark() + "), skipping "
                + (gaps.isEmpty() ? "no offsets" : gaps.subList(0, Math.min(MAX_EXAMPLES, gaps.size())));
    }

    private static void report(List<String> problems, String what, List<String> examples) {
        if (!examples.isEmpty()) {
            problems.add(examples.size() + " " + what + ", e.g. "
                    + examples.subList(0, Math.min(MAX_EXAMPLES, examples.size())));
        }
    }
}
