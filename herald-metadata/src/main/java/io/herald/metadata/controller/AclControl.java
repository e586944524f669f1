package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.CreateAcls;
import io.herald.metadata.controller.ControllerCommand.DeleteAcls;
import io.herald.metadata.controller.ControllerReply.AclResult;
import io.herald.metadata.image.Acls;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decisions about ACL bindings, following Kafka 4.3's controller (AclControlManager) rule for rule and word for word.
 *
 * <p>CreateAcls, per binding in request order:
 * <ol>
 *   <li>{@link #validateNewAcl}: the resource type may not be ANY or UNKNOWN, the pattern type must be LITERAL or
 *       PREFIXED, the operation may not be ANY or UNKNOWN, the permission must be ALLOW or DENY, the resource name
 *       may not be empty, and the principal must have a colon between its type and name; the first rule broken
 *       refuses the binding alone with INVALID_REQUEST and Kafka's message. Kafka checks no host: an empty one is
 *       accepted (and matches no client).</li>
 *   <li>A valid binding that exists already, or came earlier in the same request, succeeds without a record.</li>
 *   <li>Any other becomes an access control entry record under a new id. Kafka's ids are random; these are derived
 *       from the entry's log index and the binding's position ({@link TopicIds}), so that every quorum member
 *       assigns the same one, and are never an id in use.</li>
 * </ol>
 * More than {@value #MAX_RECORDS_PER_USER_OP} new records (Kafka's {@code MAX_RECORDS_PER_USER_OP}) refuse the whole
 * command with POLICY_VIOLATION, as Kafka's controller turns its overflowing record list into.
 *
 * <p>DeleteAcls, per filter in request order: a filter whose pattern or entry part is unknown (an UNKNOWN resource
 * type or pattern type; an UNKNOWN operation or permission) is refused alone with INVALID_REQUEST ("Unknown
 * patternFilter." / "Unknown entryFilter."); any other deletes every binding it matches
 * ({@link AclBindingFilter#matches}) and reports them. Every filter sees the bindings as they were before the
 * command, so a binding two filters match is reported by both and removed once. More than
 * {@value #MAX_RECORDS_PER_USER_OP} removals refuse the whole command with INVALID_REQUEST, as Kafka does.
 *
 * <p>The accepted changes of a command take effect together, in its one log entry. The reply lists one
 * {@link AclResult} per binding or filter, in request order. Stateless; the decision is deterministic.
 */
final class AclControl {
    /** Kafka's limit of records one user operation may write (QuorumController.MAX_RECORDS_PER_USER_OP). */
    static final int MAX_RECORDS_PER_USER_OP = 10_000;

    private static final AclResult SUCCESS = new AclResult(Errors.NONE.code(), "", List.of());

    private AclControl() {
    }

    /** Decides every creation; payload: one {@link AclResult} per binding. */
    static byte[] createAcls(RecordBuffer buffer, CreateAcls c, long index) {
        Acls current = buffer.image().acls();
        List<AclResult> results = new ArrayList<>(c.bindings().size());
        // Position in the request -> new binding: the position makes the derived id unique within the entry.
        Map<Integer, AclBinding> added = new LinkedHashMap<>();
        Set<AclBinding> seen = new HashSet<>();
        for (int i = 0; i < c.bindings().size(); i++) {
            AclBinding binding = c.bindings().get(i);
            Optional<String> refusal = validateNewAcl(binding);
            if (refusal.isPresent()) {
                results.add(refused(Errors.INVALID_REQUEST, refusal.get()));
                continue;
            }
            if (!current.contains(binding) && seen.add(binding)) {
                added.put(i, binding);
            }
            results.add(SUCCESS);
        }
        if (added.size() > MAX_RECORDS_PER_USER_OP) {
            throw new PolicyViolationException("Unable to perform excessively large batch operation.");
        }
        added.forEach((position, binding) -> {
            Uuid id = TopicIds.derive(index, "acl-" + position,
                    taken -> buffer.image().acls().binding(taken).isPresent());
            buffer.add(new AccessControlEntryRecord(id, binding));
        });
        return ControllerReply.encodeAclResults(results);
    }

    /** Decides every filter; payload: one {@link AclResult} per filter, with the bindings it deleted. */
    static byte[] deleteAcls(RecordBuffer buffer, DeleteAcls c) {
        Acls current = buffer.image().acls();
        List<AclResult> results = new ArrayList<>(c.filters().size());
        TreeMap<Uuid, AclBinding> removed = new TreeMap<>();
        for (AclBindingFilter filter : c.filters()) {
            Optional<String> refusal = validateFilter(filter);
            if (refusal.isPresent()) {
                results.add(refused(Errors.INVALID_REQUEST, refusal.get()));
                continue;
            }
            List<AclBinding> matched = new ArrayList<>();
            current.byId().forEach((id, binding) -> {
                if (filter.matches(binding)) {
                    matched.add(binding);
                    removed.put(id, binding);
                }
            });
            if (removed.size() > MAX_RECORDS_PER_USER_OP) {
                throw new InvalidRequestException("Cannot remove more than " + MAX_RECORDS_PER_USER_OP
                        + " acls in a single delete operation.");
            }
            results.add(new AclResult(Errors.NONE.code(), "", matched));
        }
        removed.keySet().forEach(id -> buffer.add(new RemoveAccessControlEntryRecord(id)));
        return ControllerReply.encodeAclResults(results);
    }

    /** Kafka's {@code AclControlManager.validateNewAcl}: the message of the first rule {@code binding} breaks. */
    static Optional<String> validateNewAcl(AclBinding binding) {
        switch (binding.pattern().resourceType()) {
            case UNKNOWN, ANY -> {
                return Optional.of("Invalid resourceType " + binding.pattern().resourceType());
            }
            default -> { }
        }
        switch (binding.pattern().patternType()) {
            case LITERAL, PREFIXED -> { }
            default -> {
                return Optional.of("Invalid patternType " + binding.pattern().patternType());
            }
        }
        switch (binding.entry().operation()) {
            case UNKNOWN, ANY -> {
                return Optional.of("Invalid operation " + binding.entry().operation());
            }
            default -> { }
        }
        switch (binding.entry().permissionType()) {
            case ALLOW, DENY -> { }
            default -> {
                return Optional.of("Invalid permissionType " + binding.entry().permissionType());
            }
        }
        String name = binding.pattern().name();
        if (name == null || name.isEmpty()) {
            return Optional.of("Resource name should not be empty");
        }
        String principal = binding.entry().principal();
        if (principal.indexOf(':') == -1) {
            return Optional.of("Could not parse principal from `" + principal + "` (no colon is present separating "
                    + "the principal type from the principal name)");
        }
        return Optional.empty();
    }

    /** Kafka's {@code AclControlManager.validateFilter}. */
    private static Optional<String> validateFilter(AclBindingFilter filter) {
        if (filter.patternFilter().isUnknown()) {
            return Optional.of("Unknown patternFilter.");
        }
        if (filter.entryFilter().isUnknown()) {
            return Optional.of("Unknown entryFilter.");
        }
        return Optional.empty();
    }

    private static AclResult refused(Errors error, String message) {
        return new AclResult(error.code(), message, List.of());
    }
}
