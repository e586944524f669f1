package io.herald.server.config;

import io.herald.common.config.ConfigValues;
import io.herald.metadata.authz.AclAuthorizer;
import io.herald.metadata.authz.AclAuthorizer.AclIndex;
import io.herald.metadata.authz.Authorizer;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * The authorizer, by Kafka's names: {@code authorizer.class.name} (empty: none, every request is allowed and the ACL
 * APIs answer SECURITY_DISABLED), {@code super.users} and {@code allow.everyone.if.no.acl.found}, which Kafka's
 * StandardAuthorizer reads.
 *
 * <p>Herald has one authorizer, StandardAuthorizer's rules over the ACLs of the metadata log ({@link AclAuthorizer});
 * {@code authorizer.class.name} names it either as Kafka does ({@value #KAFKA_STANDARD_AUTHORIZER}, so a Kafka
 * {@code server.properties} works unchanged) or by Herald's class ({@value #HERALD_ACL_AUTHORIZER}). Any other class
 * stops the node with a ConfigException naming the accepted ones: Herald loads no plugin, and silently serving
 * without the authorizer an operator asked for would open the cluster.
 *
 * <p>{@code super.users} is Kafka's list of principals separated by semicolons ({@code User:admin;User:broker}), each
 * trimmed, empty ones skipped, each {@code Type:name} (Kafka's {@code SecurityUtils.parseKafkaPrincipal}); one without
 * a colon is a ConfigException when the config is parsed, as it stops Kafka's authorizer when it is configured.
 *
 * @param className                  the authorizer named, empty for none
 * @param superUsers                 principals allowed everything, in the order given
 * @param allowEveryoneIfNoAclFound  whether a resource without any binding is open to everyone (default false)
 */
public record AuthorizerConfig(String className, Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAclFound) {
    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";

    /** Kafka's authorizer of ACLs in the metadata log. */
    public static final String KAFKA_STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    /** Herald's own name of the same authorizer. */
    public static final String HERALD_ACL_AUTHORIZER = "io.herald.metadata.authz.AclAuthorizer";
    private static final Set<String> ACL_AUTHORIZERS = Set.of(KAFKA_STANDARD_AUTHORIZER, HERALD_ACL_AUTHORIZER);

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(AUTHORIZER_CLASS_NAME, Type.STRING, "", AuthorizerConfig::checkClassName, Importance.LOW,
                    "The authorizer: " + KAFKA_STANDARD_AUTHORIZER + " or " + HERALD_ACL_AUTHORIZER
                            + " (the same: StandardAuthorizer's rules over the ACLs of the metadata log); empty for "
                            + "none, which allows every request.")
            .define(SUPER_USERS, Type.STRING, "", (name, value) -> parseSuperUsers((String) value), Importance.MEDIUM,
                    "Principals allowed every operation whatever the ACLs, separated by semicolons "
                            + "(User:admin;User:broker).")
            .define(ALLOW_EVERYONE_IF_NO_ACL_FOUND, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Whether a resource without any ACL binding is open to every principal.");

    public AuthorizerConfig {
        Objects.requireNonNull(className, "className");
        superUsers = Collections.unmodifiableSet(new LinkedHashSet<>(superUsers));
    }

    /** No authorizer: the defaults. */
    public static AuthorizerConfig defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** The settings from values parsed with a definition that includes {@link #CONFIG_DEF} (and its validators). */
    public static AuthorizerConfig from(ConfigValues v) {
        return new AuthorizerConfig(v.getString(AUTHORIZER_CLASS_NAME), parseSuperUsers(v.getString(SUPER_USERS)),
                v.getBoolean(ALLOW_EVERYONE_IF_NO_ACL_FOUND));
    }

    /** Whether requests are authorized at all: an authorizer is named. */
    public boolean enabled() {
        return !className.isEmpty();
    }

    /**
     * The authorizer of these settings: {@link Authorizer#ALLOW_ALL} without one, else the ACL authorizer over the
     * bindings {@code acls} supplies (the current metadata image's index, read on every check).
     */
    public Authorizer authorizer(Supplier<AclIndex> acls) {
        return enabled() ? new AclAuthorizer(acls, superUsers, allowEveryoneIfNoAclFound) : Authorizer.ALLOW_ALL;
    }

    private static void checkClassName(String name, Object value) {
        String className = ((String) value).trim();
        if (!className.isEmpty() && !ACL_AUTHORIZERS.contains(className)) {
            throw new ConfigException(name, value, "Herald's authorizer is StandardAuthorizer's rules over the ACLs of "
                    + "the metadata log, named " + KAFKA_STANDARD_AUTHORIZER + " or " + HERALD_ACL_AUTHORIZER
                    + " (or empty for none); it loads no other class");
        }
    }

    /** Kafka's StandardAuthorizer.getConfiguredSuperUsers, as principals. */
    private static Set<KafkaPrincipal> parseSuperUsers(String value) {
        Set<KafkaPrincipal> principals = new LinkedHashSet<>();
        for (String entry : value.split(";")) {
            String principal = entry.trim();
            if (principal.isEmpty()) {
                continue;
            }
            try {
                principals.add(SecurityUtils.parseKafkaPrincipal(principal));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SUPER_USERS, value, e.getMessage());
            }
        }
        return principals;
    }
}
