package io.herald.metadata.authz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Kafka's StandardAuthorizer semantics over the ACL bindings of the metadata log:
 * <ol>
 *   <li>a principal in {@code super.users} may do everything;</li>
 *   <li>the bindings that apply to a resource are the LITERAL ones of its name, the LITERAL ones of the wildcard
 *       {@code *}, and the PREFIXED ones whose name begins its name;</li>
 *   <li>of those, the ones for the principal (or {@code User:*}, whatever the principal's type) and host (or
 *       {@code *}) decide: a DENY for the operation (or ALL) wins over everything; else an ALLOW for the operation,
 *       for ALL, or for an operation that implies it (READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS
 *       implies DESCRIBE_CONFIGS) allows;</li>
 *   <li>with no binding for the resource at all, {@code allow.everyone.if.no.acl.found} decides (default false).</li>
 * </ol>
 * {@link #authorizeAny} is Kafka's {@code authorizeByResourceType}, as StandardAuthorizer inherits it from Kafka's
 * Authorizer interface (see the method).
 *
 * <p>Thread-safe: it reads the current {@link AclIndex} from its supplier (the metadata image's) on every call;
 * an index is immutable.
 */
public final class AclAuthorizer implements Authorizer {

    /** Kafka's wildcard principal (StandardAuthorizer's WILDCARD_KAFKA_PRINCIPAL). */
    private static final String WILDCARD_PRINCIPAL = "User:*";
    private static final String WILDCARD_HOST = "*";
    /** The resource name Kafka's authorizeByResourceType authorizes first; no binding is expected to name it. */
    private static final String UNNAMED_RESOURCE = "hardcode";

    private final Supplier<AclIndex> acls;
    private final Set<KafkaPrincipal> superUsers;
    private final boolean allowIfNoAcl;

    public AclAuthorizer(Supplier<AclIndex> acls, Set<KafkaPrincipal> superUsers, boolean allowIfNoAcl) {
        this.acls = Objects.requireNonNull(acls, "acls");
        this.superUsers = superUsers.stream().map(p -> new KafkaPrincipal(p.getPrincipalType(), p.getName()))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.allowIfNoAcl = allowIfNoAcl;
    }

    @Override
    public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type,
                             String name) {
        if (isSuperUser(principal)) {
            return true;
        }
        List<AclBinding> applying = acls.get().applying(type, name);
        if (applying.isEmpty()) {
            return allowIfNoAcl;
        }
        boolean allowed = false;
        for (AclBinding binding : applying) {
            AccessControlEntry entry = binding.entry();
            if (!matches(entry, principal, host)) {
                continue;
            }
            if (entry.permissionType() == AclPermissionType.DENY) {
                if (entry.operation() == AclOperation.ALL || entry.operation() == operation) {
                    return false;
                }
            } else if (entry.permissionType() == AclPermissionType.ALLOW && implies(entry.operation(), operation)) {
                allowed = true;
            }
        }
        return allowed;
    }

    @Override
    public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
        // Kafka's Authorizer.authorizeByResourceType, which StandardAuthorizer inherits. First a resource of the type
        // that no one names: super users, a wildcard ALLOW and allow.everyone.if.no.acl.found (when no binding
        // applies to such a resource) allow here, and a wildcard DENY denies before any ALLOW is looked at.
        if (authorize(principal, host, operation, type, UNNAMED_RESOURCE)) {
            return true;
        }
        // Then the principal's bindings of the operation itself or ALL (no implied operations here): allowed if a
        // wildcard ALLOW exists and no wildcard DENY, or if some LITERAL or PREFIXED ALLOW is dominated by no DENY
        // (a LITERAL DENY of the same name, or a PREFIXED DENY that begins its name).
        Set<String> deniedLiterals = new HashSet<>();
        Set<String> deniedPrefixes = new HashSet<>();
        List<ResourcePattern> allowed = new ArrayList<>();
        boolean wildcardAllowed = false;
        for (AclBinding binding : acls.get().ofType(type)) {
            AccessControlEntry entry = binding.entry();
            if (!matches(entry, principal, host)
                    || (entry.operation() != operation && entry.operation() != AclOperation.ALL)) {
                continue;
            }
            ResourcePattern pattern = binding.pattern();
            boolean wildcard = pattern.patternType() == PatternType.LITERAL
                    && pattern.name().equals(ResourcePattern.WILDCARD_RESOURCE);
            if (entry.permissionType() == AclPermissionType.DENY) {
                if (wildcard) {
                    return false;
                }
                (pattern.patternType() == PatternType.PREFIXED ? deniedPrefixes : deniedLiterals).add(pattern.name());
            } else if (entry.permissionType() == AclPermissionType.ALLOW) {
                if (wildcard) {
                    wildcardAllowed = true;
                } else {
                    allowed.add(pattern);
                }
            }
        }
        if (wildcardAllowed) {
            return true;
        }
        for (ResourcePattern pattern : allowed) {
            if (pattern.patternType() == PatternType.LITERAL && deniedLiterals.contains(pattern.name())) {
                continue;
            }
            if (!dominatedByPrefix(pattern.name(), deniedPrefixes)) {
                return true;
            }
        }
        return false;
    }

    /** By type and name: a principal of a subclass (a token's, say) is the same user, as in Kafka's check. */
    private boolean isSuperUser(KafkaPrincipal principal) {
        return superUsers.contains(new KafkaPrincipal(principal.getPrincipalType(), principal.getName()));
    }

    /** Whether a prefix of {@code name} (itself included) is in {@code prefixes}. */
    private static boolean dominatedByPrefix(String name, Set<String> prefixes) {
        for (int end = 1; end <= name.length(); end++) {
            if (prefixes.contains(name.substring(0, end))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code entry} is for {@code principal} and {@code host}: its principal is the request's or Kafka's
     * wildcard {@code User:*} (for principals of every type, as StandardAuthorizer's), and its host the request's
     * address or {@code *}.
     */
    private static boolean matches(AccessControlEntry entry, KafkaPrincipal principal, String host) {
        String acl = entry.principal();
        boolean principalMatches = acl.equals(WILDCARD_PRINCIPAL)
                || acl.equals(principal.getPrincipalType() + ":" + principal.getName());
        return principalMatches && (entry.host().equals(WILDCARD_HOST) || entry.host().equals(host));
    }

    /** Whether an ALLOW for {@code granted} allows {@code requested}. */
    static boolean implies(AclOperation granted, AclOperation requested) {
        if (granted == AclOperation.ALL || granted == requested) {
            return true;
        }
        return switch (requested) {
            case DESCRIBE -> granted == AclOperation.READ || granted == AclOperation.WRITE
                    || granted == AclOperation.DELETE || granted == AclOperation.ALTER;
            case DESCRIBE_CONFIGS -> granted == AclOperation.ALTER_CONFIGS;
            default -> false;
        };
    }

    /**
     * The ACL bindings of a cluster, indexed for authorization: LITERAL ones by resource type and name, PREFIXED ones
     * by type. Immutable.
     */
    public static final class AclIndex {
        public static final AclIndex EMPTY = new AclIndex(List.of());

        private final Map<ResourceType, Map<String, List<AclBinding>>> literal = new EnumMap<>(ResourceType.class);
        private final Map<ResourceType, List<AclBinding>> prefixed = new EnumMap<>(ResourceType.class);
        private final Map<ResourceType, List<AclBinding>> byType = new EnumMap<>(ResourceType.class);

        public AclIndex(Collection<AclBinding> bindings) {
            Map<ResourceType, Map<String, List<AclBinding>>> literalBuilder = new EnumMap<>(ResourceType.class);
            Map<ResourceType, List<AclBinding>> prefixedBuilder = new EnumMap<>(ResourceType.class);
            Map<ResourceType, List<AclBinding>> typeBuilder = new EnumMap<>(ResourceType.class);
            for (AclBinding binding : bindings) {
                ResourcePattern pattern = binding.pattern();
                typeBuilder.computeIfAbsent(pattern.resourceType(), t -> new ArrayList<>()).add(binding);
                if (pattern.patternType() == PatternType.PREFIXED) {
                    prefixedBuilder.computeIfAbsent(pattern.resourceType(), t -> new ArrayList<>())
                            .add(binding);
                } else {
                    literalBuilder.computeIfAbsent(pattern.resourceType(), t -> new HashMap<>())
                            .computeIfAbsent(pattern.name(), n -> new ArrayList<>()).add(binding);
                }
            }
            literalBuilder.forEach((type, byName) -> {
                Map<String, List<AclBinding>> frozen = new HashMap<>();
                byName.forEach((name, list) -> frozen.put(name, List.copyOf(list)));
                literal.put(type, frozen);
            });
            prefixedBuilder.forEach((type, list) -> prefixed.put(type, List.copyOf(list)));
            typeBuilder.forEach((type, list) -> byType.put(type, List.copyOf(list)));
        }

        /** The bindings that apply to resource {@code type}/{@code name}. */
        List<AclBinding> applying(ResourceType type, String name) {
            Map<String, List<AclBinding>> byName = literal.getOrDefault(type, Map.of());
            List<AclBinding> exact = byName.getOrDefault(name, List.of());
            List<AclBinding> wildcard = byName.getOrDefault(ResourcePattern.WILDCARD_RESOURCE, List.of());
            List<AclBinding> prefixes = prefixed.getOrDefault(type, List.of());
            if (wildcard.isEmpty() && prefixes.isEmpty()) {
                return exact;
            }
            List<AclBinding> all = new ArrayList<>(exact);
            all.addAll(wildcard);
            for (AclBinding binding : prefixes) {
                if (name.startsWith(binding.pattern().name())) {
                    all.add(binding);
                }
            }
            return all;
        }

        List<AclBinding> ofType(ResourceType type) {
            return byType.getOrDefault(type, List.of());
        }
    }
}
