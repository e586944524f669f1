package io.herald.protocol.server;

import io.herald.protocol.ConnectionLimits;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a server's connections against its {@link ConnectionLimits}, as Kafka's ConnectionQuotas does: a connection
 * over its address's limit is closed as soon as it is accepted; at the broker-wide limit the listeners stop accepting
 * (their server channels stop reading, so new clients wait in the accept backlog) until a connection closes; the
 * exempt (inter-broker) listeners keep accepting.
 *
 * <p>Thread-safe: {@link #admit} and the close callbacks run on any event loop and synchronize on this object;
 * server channels are switched on their own loops.
 */
public final class ConnectionQuotas {
    private static final Logger log = LoggerFactory.getLogger(ConnectionQuotas.class);

    private final ConnectionLimits limits;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final List<Channel> limitedServers = new CopyOnWriteArrayList<>();
    private int total;
    private boolean accepting = true;

    public ConnectionQuotas(ConnectionLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Puts a listener's server channel under the broker-wide limit, unless its listener is exempt. */
    public void addServer(String listenerName, Channel serverChannel) {
        if (!limits.exemptListeners().contains(listenerName)) {
            limitedServers.add(serverChannel);
            synchronized (this) {
                serverChannel.config().setAutoRead(accepting);
            }
        }
    }

    /**
     * Counts a newly accepted connection; false (and a log line) if its address already has its maximum, in which
     * case the caller closes it and it is not counted.
     */
    public boolean admit(Channel channel) {
        InetAddress address = address(channel);
        synchronized (this) {
            int current = address == null ? 0 : perAddress.getOrDefault(address, 0);
            int limit = address == null ? Integer.MAX_VALUE : limits.limitFor(address);
            if (current >= limit) {
                log.info("Rejected connection from {}, address already has the configured maximum of {} "
                        + "connections (max.connections.per.ip)", address, limit);
                return false;
            }
            if (address != null) {
                perAddress.put(address, current + 1);
            }
            total++;
            if (accepting && total >= limits.maxConnections()) {
                accepting = false;
                log.info("{} connections: the broker-wide max.connections is reached; waiting for one to close "
                        + "before accepting more", total);
                limitedServers.forEach(server -> server.config().setAutoRead(false));
            }
        }
        channel.closeFuture().addListener(f -> release(address));
        return true;
    }

    private synchronized void release(InetAddress address) {
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
        total--;
        if (!accepting && total < limits.maxConnections()) {
            accepting = true;
            limitedServers.forEach(server -> server.config().setAutoRead(true));
        }
    }

    /** Connections counted now (tests, metrics). */
    public synchronized int connections() {
        return total;
    }

    private static InetAddress address(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
