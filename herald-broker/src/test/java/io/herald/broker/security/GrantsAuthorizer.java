package io.herald.broker.security;

import io.herald.metadata.authz.Authorizer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * A handler tests' authorizer: a principal may perform exactly the operations granted to it on exactly the named
 * resources; everything else is denied. No implications (READ does not imply DESCRIBE here) and no wildcards, so a
 * test states every permission its request needs. Counts the checks it answers.
 *
 * <p>Thread-safe.
 */
public final class GrantsAuthorizer implements Authorizer {
    private record Grant(KafkaPrincipal principal, AclOperation operation, ResourceType type, String name) {}

    private final Set<Grant> grants = ConcurrentHashMap.newKeySet();
    private final AtomicInteger checks = new AtomicInteger();

    /** Lets {@code principal} perform each of {@code operations} on {@code type}/{@code name}. */
    public GrantsAuthorizer allow(KafkaPrincipal principal, ResourceType type, String name,
                                  AclOperation... operations) {
        for (AclOperation operation : operations) {
            grants.add(new Grant(principal, operation, type, name));
        }
        return this;
    }

    /** How many checks were answered so far. */
    public int checks() {
        return checks.get();
    }

    @Override
    public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type,
                             String name) {
        checks.incrementAndGet();
        return grants.contains(new Grant(principal, operation, type, name));
    }

    @Override
    public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
        checks.incrementAndGet();
        return grants.stream().anyMatch(g -> g.principal().equals(principal) && g.operation() == operation
                && g.type() == type);
    }
}
