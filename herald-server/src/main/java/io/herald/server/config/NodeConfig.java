package io.herald.server.config;

import io.herald.common.config.ConfigValues;
import io.herald.server.config.Listeners.Listener;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node is and where it lives, by KRaft's config names: {@code node.id}, {@code process.roles},
 * {@code controller.quorum.voters} ({@code id@host:port,...}), named {@code listeners}
 * ({@code PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093}; the names in
 * {@code controller.listener.names} mark the controller listener, the first other listener serves clients),
 * {@code advertised.listeners}, the data and metadata directories, {@code cluster.id}, {@code broker.rack}.
 *
 * <p>Without voters the node is a single-node cluster (a quorum of one) and must run both roles, exactly as
 * {@code bin/herald start} does with no config. With voters, the checks Kafka makes apply: a controller is one
 * of the voters and has a controller listener; a broker-only node is not a voter and does not listen on a
 * controller listener; a controller-only node has no client listener.
 *
 * <p>Every listener not named in {@code controller.listener.names} serves clients, with the security protocol
 * {@code listener.security.protocol.map} gives it (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL). Other brokers reach
 * this one on {@code inter.broker.listener.name} (default: the listener named after
 * {@code security.inter.broker.protocol}, else the first client listener), with that listener's security.
 * The controller (Raft) quorum runs PLAINTEXT or SSL, by the protocol of the first name in
 * {@code controller.listener.names}: every node, broker-only ones too, reaches the voters with it. SSL with
 * {@code ssl.client.auth=required} is how the quorum authenticates its members (mutual TLS); SASL on the controller
 * listener is refused, since the quorum's transport (Ratis over gRPC) carries no SASL exchange.
 *
 * <p>Immutable and thread-safe.
 */
public final class NodeConfig {
    private static final Logger log = LoggerFactory.getLogger(NodeConfig.class);

    public static final String NODE_ID = "node.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String BROKER_RACK = "broker.rack";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";

    /** Kafka's default {@code listener.security.protocol.map}: each security protocol names itself. */
    private static final String DEFAULT_SECURITY_PROTOCOL_MAP =
            "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

    /** The node's identity and addresses, with Kafka's names and defaults. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(NODE_ID, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.HIGH, "This node's id.")
            .define(PROCESS_ROLES, Type.LIST, "broker,controller", Importance.HIGH, "broker, controller, or both.")
            .define(LISTENERS, Type.STRING, "PLAINTEXT://127.0.0.1:9092", Importance.HIGH,
                    "Named listeners, NAME://host:port,...: the client one and, on a controller, the controller one.")
            .define(ADVERTISED_LISTENERS, Type.STRING, null, Importance.HIGH,
                    "Addresses given to clients and other nodes, by listener name; default: listeners.")
            .define(CONTROLLER_LISTENER_NAMES, Type.LIST, "CONTROLLER", Importance.HIGH,
                    "Names of the listeners used by the controller (Raft) traffic.")
            .define(LISTENER_SECURITY_PROTOCOL_MAP, Type.LIST, DEFAULT_SECURITY_PROTOCOL_MAP, Importance.LOW,
                    "Listener name to security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
            .define(INTER_BROKER_LISTENER_NAME, Type.STRING, null, Importance.MEDIUM,
                    "The listener other brokers connect to; default: the one named after "
                            + SECURITY_INTER_BROKER_PROTOCOL + ", else the first client listener.")
            .define(SECURITY_INTER_BROKER_PROTOCOL, Type.STRING, "PLAINTEXT", Importance.MEDIUM,
                    "Security protocol of inter-broker connections, when " + INTER_BROKER_LISTENER_NAME
                            + " is not set.")
            .define(CONTROLLER_QUORUM_VOTERS, Type.LIST, "", Importance.HIGH,
                    "The controller quorum, id@host:port,...; empty: a single-node cluster.")
            .define(METADATA_LOG_DIR, Type.STRING, null, Importance.HIGH,
                    "Where the metadata log lives; default: the first of log.dirs.")
            .define(LOG_DIRS, Type.LIST, null, Importance.HIGH, "Data directories.")
            .define(LOG_DIR, Type.STRING, "./data", Importance.HIGH, "Data directory when log.dirs is unset.")
            .define(BROKER_RACK, Type.STRING, null, Importance.LOW, "Rack of this broker.")
            .define(CLUSTER_ID, Type.STRING, null, Importance.LOW,
                    "Cluster id; generated and stored in meta.properties on first start when unset.");

    /** The roles of a node ({@code process.roles}). */
    public enum ProcessRole {
        BROKER, CONTROLLER;

        static Set<ProcessRole> parse(List<String> names) {
            if (names.isEmpty()) {
                throw new ConfigException(PROCESS_ROLES, "", "expected: broker, controller, or broker,controller");
            }
            EnumSet<ProcessRole> roles = EnumSet.noneOf(ProcessRole.class);
            for (String name : names) {
                ProcessRole role = switch (name) {
                    case "broker" -> BROKER;
                    case "controller" -> CONTROLLER;
                    default -> throw new ConfigException(PROCESS_ROLES, String.join(",", names),
                            "unknown role '" + name + "' (expected: broker, controller, or broker,controller)");
                };
                if (!roles.add(role)) {
                    throw new ConfigException(PROCESS_ROLES, String.join(",", names), "duplicate role '" + name + "'");
                }
            }
            return Collections.unmodifiableSet(roles);
        }
    }

    private final int nodeId;
    private final Set<ProcessRole> roles;
    private final Map<Integer, InetSocketAddress> voters;
    private final List<String> controllerListenerNames;
    private final Map<String, Listener> listeners;
    private final Map<String, Listener> advertisedListeners;
    private final Optional<String> clientListenerName;
    private final List<String> clientListenerNames;
    private final Optional<String> interBrokerListenerName;
    private final Map<String, SecurityProtocol> securityProtocols;
    private final Optional<String> controllerListenerName;
    private final SecurityProtocol controllerSecurityProtocol;
    private final List<Path> logDirs;
    private final Optional<Path> metadataLogDir;
    private final Optional<String> rack;
    private final Optional<String> clusterId;
    /** As given, for error messages. */
    private final String listenersValue;
    private final String advertisedValue;
    private final String votersValue;

    private NodeConfig(ConfigValues v) {
        this.nodeId = v.getInt(NODE_ID);
        this.roles = ProcessRole.parse(v.getList(PROCESS_ROLES));
        this.votersValue = String.join(",", v.getList(CONTROLLER_QUORUM_VOTERS));
        this.voters = Listeners.parseVoters(CONTROLLER_QUORUM_VOTERS, votersValue);
        this.controllerListenerNames = v.getList(CONTROLLER_LISTENER_NAMES).stream()
                .map(name -> name.toUpperCase(Locale.ROOT)).toList();
        Map<String, String> protocols = securityProtocols(v.getList(LISTENER_SECURITY_PROTOCOL_MAP),
                v.isSet(LISTENER_SECURITY_PROTOCOL_MAP));
        this.listenersValue = v.getString(LISTENERS);
        this.listeners = Listeners.parse(LISTENERS, listenersValue, protocols, LISTENER_SECURITY_PROTOCOL_MAP);
        this.clientListenerNames = listeners.keySet().stream()
                .filter(name -> !controllerListenerNames.contains(name)).toList();
        this.clientListenerName = clientListenerNames.stream().findFirst();
        Map<String, SecurityProtocol> byListener = new java.util.LinkedHashMap<>();
        listeners.keySet().forEach(name -> byListener.put(name, SecurityProtocol.forName(protocols.get(name))));
        this.securityProtocols = Collections.unmodifiableMap(byListener);
        this.interBrokerListenerName = interBrokerListener(v);
        this.controllerListenerName = controllerListenerNames.stream().filter(listeners::containsKey).findFirst();
        this.controllerSecurityProtocol = controllerProtocol(protocols);
        this.advertisedValue = v.getString(ADVERTISED_LISTENERS);
        this.advertisedListeners = advertisedValue == null ? listeners
                : Listeners.parse(ADVERTISED_LISTENERS, advertisedValue, protocols, LISTENER_SECURITY_PROTOCOL_MAP);
        List<String> dirs = v.getList(LOG_DIRS);
        this.logDirs = dirs == null || dirs.isEmpty() ? List.of(Path.of(v.getString(LOG_DIR)))
                : dirs.stream().map(Path::of).toList();
        this.metadataLogDir = v.optionalString(METADATA_LOG_DIR).map(Path::of);
        this.rack = Optional.ofNullable(v.getString(BROKER_RACK));
        this.clusterId = Optional.ofNullable(v.getString(CLUSTER_ID));
        validateClusterShape();
    }

    /**
     * From values parsed with a definition that includes {@link #CONFIG_DEF}.
     *
     * @throws ConfigException naming the config whose value is wrong or contradicts another
     */
    public static NodeConfig from(ConfigValues values) {
        return new NodeConfig(values);
    }

    /**
     * {@code inter.broker.listener.name}, else the client listener named after {@code security.inter.broker.protocol}
     * (Kafka's rule), else the first client listener (Herald's, so a single listener of any name works).
     */
    private Optional<String> interBrokerListener(ConfigValues v) {
        Optional<String> configured = v.optionalString(INTER_BROKER_LISTENER_NAME)
                .map(name -> name.trim().toUpperCase(Locale.ROOT));
        if (configured.isPresent()) {
            if (!clientListenerNames.contains(configured.get())) {
                throw new ConfigException(INTER_BROKER_LISTENER_NAME, configured.get(),
                        "must be one of the client listeners " + clientListenerNames);
            }
            return configured;
        }
        String byProtocol = v.getString(SECURITY_INTER_BROKER_PROTOCOL).trim().toUpperCase(Locale.ROOT);
        return clientListenerNames.contains(byProtocol) ? Optional.of(byProtocol) : clientListenerName;
    }

    /** Kafka's KRaft rules tying roles, voters and listeners together. */
    private void validateClusterShape() {
        if (isBroker() && clientListenerName.isEmpty()) {
            throw new ConfigException(LISTENERS, listenersValue, "the broker role needs a listener not named in "
                    + CONTROLLER_LISTENER_NAMES + " " + controllerListenerNames);
        }
        if (clientListenerName.isPresent() && !advertisedListeners.containsKey(clientListenerName.get())) {
            throw new ConfigException(ADVERTISED_LISTENERS, advertisedValue,
                    "must advertise the client listener " + clientListenerName.get());
        }
        for (String name : advertisedListeners.keySet()) {
            if (!listeners.containsKey(name)) {
                throw new ConfigException(ADVERTISED_LISTENERS, advertisedValue,
                        "listener " + name + " is not in " + LISTENERS + " " + listeners.keySet());
            }
        }
        if (voters.isEmpty()) {
            if (!isBroker() || !isController()) {
                throw new ConfigException(PROCESS_ROLES, rolesValue(), "without " + CONTROLLER_QUORUM_VOTERS
                        + " the node is a single-node cluster and must run both roles (expected: broker,controller)");
            }
            return;
        }
        if (isController()) {
            validateController();
        } else {
            if (voters.containsKey(nodeId)) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, votersValue,
                        "process.roles is broker only, so node.id " + nodeId + " must not be one of the voters");
            }
            if (controllerListenerName.isPresent()) {
                throw new ConfigException(LISTENERS, listenersValue, "a broker-only node must not listen on "
                        + "the controller listener " + controllerListenerName.get());
            }
        }
    }

    /**
     * The protocol of the controller quorum: that of the controller listener on a controller, else of the first of
     * {@code controller.listener.names}, which broker-only nodes reach the voters with.
     */
    private SecurityProtocol controllerProtocol(Map<String, String> protocols) {
        if (voters.isEmpty()) {
            return SecurityProtocol.PLAINTEXT; // a single-node cluster has no quorum traffic
        }
        String name = controllerListenerConfigName();
        String protocol = protocols.get(name);
        if (protocol == null) {
            throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, String.join(",", protocols.keySet()),
                    "the controller listener " + name + " (" + CONTROLLER_LISTENER_NAMES + ") needs a security "
                            + "protocol here");
        }
        SecurityProtocol parsed;
        try {
            parsed = SecurityProtocol.forName(protocol);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, protocol, "unknown security protocol of the "
                    + "controller listener " + name);
        }
        if (parsed != SecurityProtocol.PLAINTEXT && parsed != SecurityProtocol.SSL) {
            throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, name + ":" + parsed.name, "the controller "
                    + "listener runs PLAINTEXT or SSL: the controller quorum (Ratis over gRPC) carries no SASL "
                    + "exchange; authenticate its members with SSL and ssl.client.auth=required instead");
        }
        return parsed;
    }

    private void validateController() {
        if (!isBroker() && clientListenerName.isPresent()) {
            throw new ConfigException(LISTENERS, listenersValue, "a controller-only node listens only on "
                    + CONTROLLER_LISTENER_NAMES + " " + controllerListenerNames + ", not on "
                    + clientListenerName.get());
        }
        if (!voters.containsKey(nodeId)) {
            throw new ConfigException(CONTROLLER_QUORUM_VOTERS, votersValue, "process.roles contains controller, "
                    + "so node.id " + nodeId + " must be one of the voters " + voters.keySet());
        }
        if (controllerListenerName.isEmpty()) {
            throw new ConfigException(CONTROLLER_LISTENER_NAMES, String.join(",", controllerListenerNames),
                    "a controller needs one of these names in " + LISTENERS + " (" + listenersValue + ")");
        }
        int listenerPort = listeners.get(controllerListenerName.get()).port();
        int voterPort = voters.get(nodeId).getPort();
        if (listenerPort != 0 && listenerPort != voterPort) {
            log.warn("{} gives node {} port {} but its {} listener is on port {}; the other controllers will "
                            + "not reach it unless something forwards that port",
                    CONTROLLER_QUORUM_VOTERS, nodeId, voterPort, controllerListenerName.get(), listenerPort);
        }
    }

    private String rolesValue() {
        return String.join(",", roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * Listener name to security protocol. As Kafka does, when the map is not configured a controller listener
     * whose name is not itself a security protocol (CONTROLLER) is PLAINTEXT.
     */
    private Map<String, String> securityProtocols(List<String> entries, boolean configured) {
        Map<String, String> protocols = new HashMap<>();
        for (String entry : entries) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, entry,
                        "expected: LISTENER_NAME:PROTOCOL,...");
            }
            protocols.put(entry.substring(0, colon).trim().toUpperCase(Locale.ROOT),
                    entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT));
        }
        if (!configured) {
            for (String name : controllerListenerNames) {
                protocols.putIfAbsent(name, Listeners.PLAINTEXT);
            }
        }
        return protocols;
    }

    public int nodeId() {
        return nodeId;
    }

    /**
     * The client listener: the first of {@code listeners} not named in {@code controller.listener.names}.
     *
     * @throws IllegalStateException on a controller-only node, which serves no clients
     */
    public Listener listener() {
        return listeners.get(clientListenerName.orElseThrow(() ->
                new IllegalStateException("a controller-only node has no client listener")));
    }

    /** The client listener's address as given to clients and other brokers ({@code advertised.listeners}). */
    public Listener advertisedListener() {
        return advertisedListeners.get(clientListenerName.orElseThrow(() ->
                new IllegalStateException("a controller-only node has no client listener")));
    }

    /** Every listener serving clients, in {@code listeners} order (none on a controller-only node). */
    public List<String> clientListenerNames() {
        return clientListenerNames;
    }

    /** The listener other brokers reach this one on; empty on a controller-only node. */
    public Optional<String> interBrokerListenerName() {
        return interBrokerListenerName;
    }

    /**
     * The address listener {@code name} is given to clients at: its entry in {@code advertised.listeners}, else its
     * bind address.
     */
    public Listener advertisedListener(String name) {
        Listener advertised = advertisedListeners.getOrDefault(name, listeners.get(name));
        if (advertised == null) {
            throw new IllegalArgumentException("no listener " + name);
        }
        return advertised;
    }

    /** The security protocol of every listener, by name, in {@code listeners} order. */
    public Map<String, SecurityProtocol> securityProtocols() {
        return securityProtocols;
    }

    /** The name of the client listener (PLAINTEXT in the shipped configs); empty on a controller-only node. */
    public Optional<String> clientListenerName() {
        return clientListenerName;
    }

    /**
     * Where this node's controller (the Raft server) listens: the first listener named in
     * {@code controller.listener.names}. Always present on a controller when voters are configured; empty on a
     * broker-only node and usually on a single-node cluster, which needs no controller port.
     */
    public Optional<Listener> controllerListener() {
        return controllerListenerName.map(listeners::get);
    }

    /**
     * The security protocol of the controller quorum (PLAINTEXT or SSL): every node uses it, as a voter's server and
     * as a client of the voters.
     */
    public SecurityProtocol controllerSecurityProtocol() {
        return controllerSecurityProtocol;
    }

    /**
     * The name whose {@code listener.name.<name>.} configs secure the controller quorum: the controller listener,
     * else (broker-only) the first of {@code controller.listener.names}.
     */
    public String controllerListenerConfigName() {
        return controllerListenerName.orElse(controllerListenerNames.stream().findFirst().orElse("CONTROLLER"));
    }

    /** Every configured listener by name, in {@code listeners} order (immutable). */
    public Map<String, Listener> listeners() {
        return listeners;
    }

    /** {@code controller.listener.names} in the given order (default [CONTROLLER]). */
    public List<String> controllerListenerNames() {
        return controllerListenerNames;
    }

    /** {@code process.roles} (default broker and controller; immutable). */
    public Set<ProcessRole> processRoles() {
        return roles;
    }

    public boolean isBroker() {
        return roles.contains(ProcessRole.BROKER);
    }

    public boolean isController() {
        return roles.contains(ProcessRole.CONTROLLER);
    }

    /**
     * {@code controller.quorum.voters}: voter node id to its controller address, in the configured order
     * (immutable, unresolved addresses). Empty: single-node cluster, a quorum of this node alone.
     */
    public Map<Integer, InetSocketAddress> quorumVoters() {
        return voters;
    }

    /** True when {@code controller.quorum.voters} is empty: this node is the whole cluster. */
    public boolean isSingleNode() {
        return voters.isEmpty();
    }

    /** {@code log.dirs}, else {@code log.dir}. */
    public List<Path> logDirs() {
        return logDirs;
    }

    /**
     * {@code metadata.log.dir}, else the first of {@link #logDirs()} (Kafka's rule). The metadata quorum keeps
     * its storage under {@code <this>/herald-metadata/}.
     */
    public Path metadataLogDir() {
        return metadataLogDir.orElse(logDirs.get(0));
    }

    public Optional<String> rack() {
        return rack;
    }

    public Optional<String> clusterId() {
        return clusterId;
    }
}
