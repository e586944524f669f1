package io.herald.group.config;

/**
 * The effective configs of a group, by id: its dynamic GROUP configs (IncrementalAlterConfigs on a GROUP resource,
 * stored in the metadata log) over the broker's defaults. The share-partition leaders and the group coordinator
 * read it on every decision that needs a setting, so a change applies without a restart.
 *
 * <p>Thread-safety: implementations are thread-safe and cheap (an in-memory lookup).
 */
@FunctionalInterface
public interface GroupConfigView {
    ShareGroupSettings share(String groupId);

    /** Every group gets {@code settings} (tests, and a broker without dynamic group configs). */
    static GroupConfigView fixed(ShareGroupSettings settings) {
        return groupId -> settings;
    }
}
