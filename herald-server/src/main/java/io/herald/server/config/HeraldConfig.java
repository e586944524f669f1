package io.herald.server.config;

import io.herald.broker.BrokerSettings;
import io.herald.broker.quota.QuotaSettings;
import io.herald.broker.StaticBrokerConfigs;
import io.herald.broker.network.InterBrokerSecurity;
import io.herald.broker.replica.ReplicationConfig;
import io.herald.common.config.ConfigFragments;
import io.herald.common.config.ConfigValues;
import io.herald.group.GroupConfig;
import io.herald.http.HttpConfig;
import io.herald.metadata.controller.ControllerSettings;
import io.herald.metadata.quorum.raft.QuorumTls;
import io.herald.protocol.ListenerConfig;
import io.netty.handler.ssl.SslContext;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.security.ScramCredentialStore;
import io.herald.broker.delay.DelayedDeliveryConfig;
import io.herald.share.ShareCoordinatorConfig;
import io.herald.storage.config.LogConfig;
import io.herald.storage.config.TopicConfigs;
import io.herald.storage.log.LogDirHealthConfig;
import io.herald.storage.log.LogManagerConfig;
import io.herald.transaction.TransactionConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's whole static configuration, by Kafka's names: every subsystem's fragment composed into one
 * definition, parsed once, and turned into each subsystem's typed settings before anything starts, so a bad
 * value stops the node with one line naming the config before log recovery begins.
 *
 * <ul>
 *   <li>{@link NodeConfig}: identity, roles, listeners, quorum voters, directories.</li>
 *   <li>{@link ServerConfig}: the network layer ({@code socket.request.max.bytes}, ...).</li>
 *   <li>{@link LogManagerConfig}: the log manager's background jobs.</li>
 *   <li>{@link LogDirHealthConfig}: log-dir failure detection and recheck.</li>
 *   <li>Broker defaults of topic configs ({@code log.retention.ms}, {@code log.segment.bytes}, ...): validated
 *       as the topic values they stand for ({@link TopicConfigs}); {@link #logDefaults} is the result.</li>
 *   <li>{@link ReplicationConfig}, {@link BrokerSettings}, {@link ControllerSettings}, {@link GroupConfig},
 *       {@link TransactionConfig}, {@link ShareCoordinatorConfig}, {@link QuotaSettings}.</li>
 *   <li>{@link HttpConfig}: the HTTP listener (metrics, REST, console).</li>
 * </ul>
 *
 * A name no fragment reads is logged once and ignored, as Kafka does, so a Kafka {@code server.properties} works
 * unchanged.
 *
 * <p>Immutable and thread-safe.
 */
public final class HeraldConfig implements StaticBrokerConfigs {
    private static final Logger log = LoggerFactory.getLogger(HeraldConfig.class);

    /** Every fragment of the node, in the order DescribeConfigs lists them. */
    static final ConfigDef DEFINITION = ConfigFragments.compose(List.of(NodeConfig.CONFIG_DEF,
            ServerConfig.CONFIG_DEF, LogManagerConfig.CONFIG_DEF, LogDirHealthConfig.CONFIG_DEF,
            ReplicationConfig.CONFIG_DEF,
            BrokerSettings.CONFIG_DEF, ControllerSettings.CONFIG_DEF, GroupConfig.CONFIG_DEF,
            TransactionConfig.CONFIG_DEF, ShareCoordinatorConfig.CONFIG_DEF, DelayedDeliveryConfig.CONFIG_DEF,
            HttpConfig.CONFIG_DEF, SecurityConfig.CONFIG_DEF, OAuthBearerConfig.CONFIG_DEF, AuthorizerConfig.CONFIG_DEF,
            QuotaSettings.CONFIG_DEF));

    private final ConfigValues values;
    private final NodeConfig node;
    private final LogManagerConfig logManager;
    private final LogDirHealthConfig logDirHealth;
    private final LogConfig logDefaults;
    private final ReplicationConfig replication;
    private final BrokerSettings broker;
    private final QuotaSettings quotas;
    private final ControllerSettings controller;
    private final GroupConfig groups;
    private final TransactionConfig transactions;
    private final ShareCoordinatorConfig shareCoordinator;
    private final DelayedDeliveryConfig delayedDelivery;
    private final HttpConfig http;
    private final SecurityConfig security;
    private final Optional<QuorumTls> quorumTls;
    private final Optional<SslContext> httpTls;
    private final Optional<SecurityConfig.HttpClients> httpClients;
    private final Set<String> unknownNames;

    private HeraldConfig(Map<String, String> originals) {
        this.values = ConfigValues.parse(DEFINITION, originals);
        for (String synonym : TopicConfigs.brokerSynonyms()) {
            if (originals.containsKey(synonym)) {
                TopicConfigs.validateBrokerSynonym(synonym, originals.get(synonym));
            }
        }
        this.node = NodeConfig.from(values);
        this.logManager = LogManagerConfig.from(values);
        this.logDirHealth = LogDirHealthConfig.from(values);
        this.logDefaults = TopicConfigs.toLogConfig(Map.of(), Map.of(), values.originals());
        this.replication = ReplicationConfig.from(values);
        this.broker = BrokerSettings.from(values);
        this.quotas = QuotaSettings.from(values);
        this.controller = ControllerSettings.from(node.nodeId(), values);
        this.groups = GroupConfig.from(values);
        this.transactions = TransactionConfig.from(values);
        this.shareCoordinator = ShareCoordinatorConfig.from(values);
        this.delayedDelivery = DelayedDeliveryConfig.from(values);
        this.http = HttpConfig.from(values);
        // A single-node cluster never connects to another broker: it needs no inter-broker client credentials.
        this.security = SecurityConfig.from(values, clientListenerProtocols(node),
                node.isSingleNode() ? Optional.empty() : node.interBrokerListenerName());
        this.quorumTls = QuorumSecurity.tls(values, node, AuthorizerConfig.from(values));
        if (node.isBroker()) {
            network(); // connection-limit overrides resolve and validate now, not when the listener starts
        }
        this.httpTls = http.enabled() && http.tls() ? Optional.of(SecurityConfig.httpTls(values)) : Optional.empty();
        this.httpClients = http.enabled() && node.isBroker()
                ? Optional.of(security.httpClients(values, node.clientListenerNames(), http)) : Optional.empty();
        this.unknownNames = ConfigFragments.unknownNames(DEFINITION, originals,
                name -> TopicConfigs.brokerSynonyms().contains(name) || SecurityConfig.isListenerConfig(name));
    }

    /**
     * Parses and validates every config; logs the names nothing reads.
     *
     * @throws ConfigException naming the first config that is wrong
     */
    public static HeraldConfig parse(Map<String, String> originals) {
        HeraldConfig config = new HeraldConfig(originals);
        config.unknownNames.forEach(name -> log.info("Ignoring config {}: Herald does not use it", name));
        return config;
    }

    public NodeConfig node() {
        return node;
    }

    private static Map<String, SecurityProtocol> clientListenerProtocols(NodeConfig node) {
        Map<String, SecurityProtocol> protocols = new LinkedHashMap<>();
        node.clientListenerNames().forEach(name -> protocols.put(name, node.securityProtocols().get(name)));
        return protocols;
    }

    /**
     * The network settings of every client listener (on a broker), their SCRAM mechanisms finding credentials in
     * {@code scram}.
     */
    public ServerConfig network(ScramCredentialStore scram) {
        List<ListenerConfig> listeners = node.clientListenerNames().stream().map(name -> {
            Listeners.Listener listener = node.listeners().get(name);
            return new ListenerConfig(name, listener.host(), listener.port(), security.listener(name, scram));
        }).toList();
        return ServerConfig.from(listeners, values, node.interBrokerListenerName());
    }

    /** The client listeners' network settings, without SCRAM credentials (tests, tools). */
    public ServerConfig network() {
        return network((user, algorithm) -> java.util.Optional.empty());
    }

    /** The HTTP listener's TLS context, for an {@code https://} listener. */
    public Optional<SslContext> httpTls() {
        return httpTls;
    }

    /** The listener and client configs of the REST API's and console's Kafka clients (on a broker serving HTTP). */
    public Optional<SecurityConfig.HttpClients> httpClients() {
        return httpClients;
    }

    /** How this broker's connections to the other brokers are secured (their inter-broker listener's protocol). */
    public InterBrokerSecurity interBrokerSecurity() {
        return security.interBroker();
    }

    /** The authorizer ({@code authorizer.class.name}, {@code super.users}, {@code allow.everyone.if.no.acl.found}). */
    /** TLS of the controller quorum's transport; empty when it is PLAINTEXT (see {@link QuorumSecurity}). */
    public Optional<QuorumTls> quorumTls() {
        return quorumTls;
    }

    public AuthorizerConfig authorizerConfig() {
        return AuthorizerConfig.from(values);
    }

    /** Whether a broker config holds a secret (a password or key): DescribeConfigs shows no value for it. */
    @Override
    public boolean isSensitive(String name) {
        ConfigDef.ConfigKey key = DEFINITION.configKeys().get(name);
        return key != null && key.type == ConfigDef.Type.PASSWORD;
    }

    public LogManagerConfig logManager() {
        return logManager;
    }

    /** How log dirs are watched for failures and rechecked ({@code herald.log.dir.*}). */
    public LogDirHealthConfig logDirHealth() {
        return logDirHealth;
    }

    /** The log config of a topic without overrides: Kafka's defaults and the broker defaults given here. */
    public LogConfig logDefaults() {
        return logDefaults;
    }

    public ReplicationConfig replication() {
        return replication;
    }

    public BrokerSettings broker() {
        return broker;
    }

    /** How client quotas are measured ({@code quota.window.*}). */
    public QuotaSettings quotas() {
        return quotas;
    }

    public ControllerSettings controller() {
        return controller;
    }

    public GroupConfig groups() {
        return groups;
    }

    /** The transaction coordinator's configs ({@code transaction.*}, {@code transactional.id.expiration.ms}). */
    public TransactionConfig transactions() {
        return transactions;
    }

    /** The share coordinator's configs ({@code share.coordinator.*}). */
    public ShareCoordinatorConfig shareCoordinator() {
        return shareCoordinator;
    }

    /** Delayed delivery's timer log ({@code herald.delayed.*}). */
    public DelayedDeliveryConfig delayedDelivery() {
        return delayedDelivery;
    }

    /** The HTTP listener ({@code herald.http.*}). */
    public HttpConfig http() {
        return http;
    }

    /**
     * The static broker default of a topic config ({@code min.insync.replicas}, {@code retention.ms}, ...): the
     * value a topic without an override and without a dynamic default runs with.
     */
    public String topicDefault(String topicConfig) {
        return TopicConfigs.resolve(topicConfig, Map.of(), Map.of(), values.originals()).value();
    }

    /** The names given that no subsystem reads (sorted). */
    public Set<String> unknownNames() {
        return unknownNames;
    }

    @Override
    public Map<String, String> originals() {
        return values.originals();
    }

    /** Every defined config with its effective value (lists joined by commas; null when unset). */
    @Override
    public Map<String, String> effectiveValues() {
        Map<String, String> all = new TreeMap<>();
        values.parsed().forEach((name, v) -> all.put(name, v == null ? null
                : v instanceof List<?> list ? String.join(",", list.stream().map(Object::toString).toList())
                : v.toString()));
        return all;
    }
}
