package io.herald.metadata.authz;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Decides whether a principal may perform an operation on a resource, as Kafka's {@code Authorizer} does for every
 * request. Implementations are thread-safe and fast: handlers ask on event loops and request threads, often once
 * per partition.
 */
public interface Authorizer {

    /** Every request is allowed: a broker without {@code authorizer.class.name}, as in Kafka. */
    Authorizer ALLOW_ALL = new Authorizer() {
        @Override
        public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type,
                                 String name) {
            return true;
        }

        @Override
        public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation,
                                    ResourceType type) {
            return true;
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /**
     * Whether {@code principal}, connected from {@code host}, may perform {@code operation} on the resource
     * {@code type}/{@code name}.
     */
    boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name);

    /**
     * Whether {@code principal} may perform {@code operation} on some resource of {@code type} (Kafka's
     * {@code authorizeByResourceType}): an idempotent producer needs WRITE on any topic (KIP-679).
     */
    boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type);

    /** Whether ACLs are checked at all (false for {@link #ALLOW_ALL}). */
    default boolean enabled() {
        return true;
    }
}
