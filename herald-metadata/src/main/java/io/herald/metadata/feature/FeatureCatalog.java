package io.herald.metadata.feature;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Kafka features (KIP-584) this version of Herald knows: the levels it supports, the level a new cluster
 * finalizes, and the levels other features must have for a level to be finalized. Every quorum member runs the
 * same catalog, so controller decisions made from it are deterministic.
 *
 * <p>What Herald implements, feature by feature:
 * <ul>
 *   <li>{@code metadata.version} 30 (Kafka's 4.3-IV0), supported 30 to 30. Herald serves Kafka's client-facing
 *       APIs at their 4.3 versions, and the levels below 30 would promise a cluster that behaves as an older
 *       Kafka (older record formats in Kafka's metadata log, fewer APIs), which Herald does not: its metadata log
 *       is its own, on Ratis, and does not change format by metadata.version. So only 4.3-IV0 is offered, and a
 *       client or tool sees what it sees against a new Kafka 4.3 cluster.</li>
 *   <li>{@code kraft.version} supported 0 only: Herald's quorum is Ratis with a static membership; KIP-853's
 *       dynamic KRaft quorum (level 1) is not implemented.</li>
 *   <li>{@code transaction.version} 0 to 2, finalized 2 (KIP-890 part 2), {@code group.version} 0 to 1,
 *       finalized 1 (KIP-848), {@code share.version} 0 to 1, finalized 1 (KIP-932): as Kafka 4.3.1, so clients
 *       choose the same protocols.</li>
 *   <li>{@code streams.version} (KIP-1071) and {@code eligible.leader.replicas.version} (KIP-966) supported 0
 *       only: not implemented, never finalized.</li>
 * </ul>
 * Kafka 4.3.1's dependencies between these levels (eligible.leader.replicas.version 1 needs metadata.version 23)
 * concern only levels Herald does not support, so no Herald level has a dependency today; the check stays so a
 * future level that has one is refused the way Kafka refuses it.
 *
 * <p>Immutable, thread-safe.
 */
public final class FeatureCatalog {
    public static final String METADATA_VERSION = "metadata.version";
    public static final String KRAFT_VERSION = "kraft.version";
    public static final String TRANSACTION_VERSION = "transaction.version";
    public static final String GROUP_VERSION = "group.version";
    public static final String SHARE_VERSION = "share.version";
    public static final String STREAMS_VERSION = "streams.version";
    public static final String ELIGIBLE_LEADER_REPLICAS_VERSION = "eligible.leader.replicas.version";

    /**
     * One feature.
     *
     * @param dependencies for a level, the minimum levels of other features it needs (absent: none)
     */
    public record Feature(String name, short minSupported, short maxSupported, short bootstrapLevel,
                          Map<Short, Map<String, Short>> dependencies) {
        public Feature {
            if (minSupported < 0 || minSupported > maxSupported || bootstrapLevel > maxSupported
                    || bootstrapLevel != 0 && bootstrapLevel < minSupported) {
                throw new IllegalArgumentException("feature " + name + ": bootstrap level " + bootstrapLevel
                        + " outside supported " + minSupported + "-" + maxSupported);
            }
            dependencies = Map.copyOf(dependencies);
        }

        Feature(String name, int minSupported, int maxSupported, int bootstrapLevel) {
            this(name, (short) minSupported, (short) maxSupported, (short) bootstrapLevel, Map.of());
        }

        public boolean supports(short level) {
            return level >= minSupported && level <= maxSupported;
        }

        /** The minimum levels of other features that {@code level} needs. */
        public Map<String, Short> dependenciesOf(short level) {
            return dependencies.getOrDefault(level, Map.of());
        }
    }

    /** Sorted by name. */
    public static final List<Feature> ALL = List.of(
            new Feature(ELIGIBLE_LEADER_REPLICAS_VERSION, 0, 0, 0),
            new Feature(GROUP_VERSION, 0, 1, 1),
            new Feature(KRAFT_VERSION, 0, 0, 0),
            new Feature(METADATA_VERSION, 30, 30, 30),
            new Feature(SHARE_VERSION, 0, 1, 1),
            new Feature(STREAMS_VERSION, 0, 0, 0),
            new Feature(TRANSACTION_VERSION, 0, 2, 2));

    private static final Map<String, Feature> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Feature::name, Function.identity()));

    /** The levels a new cluster finalizes (level 0 features left out). */
    public static final Map<String, Short> BOOTSTRAP = ALL.stream().filter(f -> f.bootstrapLevel() > 0)
            .collect(Collectors.toUnmodifiableMap(Feature::name, Feature::bootstrapLevel));

    /**
     * The levels of a cluster whose metadata log predates feature records: what Herald reported, fixed, before
     * the levels were stored (transaction.version 2, group.version 1, share.version 1), at epoch 1.
     */
    public static final Map<String, Short> LEGACY = Map.of(TRANSACTION_VERSION, (short) 2, GROUP_VERSION, (short) 1,
            SHARE_VERSION, (short) 1);
    public static final long LEGACY_EPOCH = 1;

    private FeatureCatalog() {
    }

    public static Optional<Feature> feature(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    static {
        if (!ALL.equals(ALL.stream().sorted(Comparator.comparing(Feature::name)).toList())) {
            throw new ExceptionInInitializerError("FeatureCatalog.ALL is not sorted by name");
        }
    }
}
