package io.herald.cli.group;

import io.herald.cli.CliException;
import io.herald.cli.Failures;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;

/**
 * Group lookups the group commands share. A group's type (classic, consumer, share, streams) decides which Admin
 * calls apply to it; ListGroups is the one call that answers for every type, so it is asked first.
 *
 * <p>Stateless; thread-safe as the given {@link Admin} is.
 */
final class Groups {

    /** What ListGroups says about one group. */
    record Listing(String groupId, GroupType type, Optional<GroupState> state) {

        boolean isShare() {
            return type == GroupType.SHARE;
        }

        /** Consumer-offset groups: the classic protocol, KIP-848's consumer protocol, or a simple (offsets-only) one. */
        boolean hasConsumerOffsets() {
            return type == GroupType.CLASSIC || type == GroupType.CONSUMER;
        }
    }

    private Groups() {
    }

    static Collection<GroupListing> all(Admin admin) {
        return Failures.await(() -> admin.listGroups().all().get());
    }

    /** The listing of {@code group}; a {@link CliException} if the cluster has no such group. */
    static Listing find(Admin admin, String group) {
        return all(admin).stream()
                .filter(listing -> listing.groupId().equals(group))
                .findFirst()
                .map(listing -> new Listing(group, listing.type().orElse(GroupType.CLASSIC), listing.groupState()))
                .orElseThrow(() -> doesNotExist(group));
    }

    /** Fails unless {@code listing} is a group of one of {@code types}, naming what it is. */
    static void requireType(Listing listing, String action, List<GroupType> types) {
        if (!types.contains(listing.type())) {
            throw new CliException("group '" + listing.groupId() + "' is a " + name(listing.type())
                    + " group; " + action + " is not supported for it");
        }
    }

    static String name(GroupType type) {
        return type.toString().toLowerCase(Locale.ROOT);
    }

    static String name(Optional<GroupState> state) {
        return state.map(GroupState::toString).orElse("Unknown");
    }

    static CliException doesNotExist(String group) {
        return new CliException("group '" + group + "' does not exist");
    }
}
