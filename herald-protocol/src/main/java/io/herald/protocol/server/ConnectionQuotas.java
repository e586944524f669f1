package io.herald.protocol.server;

import io.herald.protocol.ConnectionLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a server's connections against its {@link ConnectionLimits}, as Kafka's ConnectionQuotas does:
 *
 * <ul>
 *   <li>a connection over its address's limit is closed as soon as it is accepted;</li>
 *   <li>a listener at its own limit stops accepting (its server channel stops reading, so new clients wait in the
 *       accept backlog) until one of its connections closes;</li>
 *   <li>at the broker-wide limit every listener but the exempt (inter-broker) ones stops accepting; a connection an
 *       exempt listener accepts beyond the limit closes the least recently active connection of the other
 *       listeners (Kafka's {@code closeExcessConnections}, which picks the selector's least recently used
 *       channel).</li>
 * </ul>
 *
 * Activity is the time of a connection's last read, kept only when an exempt listener can take the broker past its
 * limit ({@link ConnectionLimits#evictsAtLimit}): otherwise nothing is recorded per read.
 *
 * <p>Thread-safe: {@link #admit} and the close callbacks run on any event loop and synchronize on this object;
 * server channels are switched on their own loops.
 */
public final class ConnectionQuotas {
    private static final Logger log = LoggerFactory.getLogger(ConnectionQuotas.class);
    private static final AttributeKey<AtomicLong> LAST_ACTIVE = AttributeKey.valueOf("herald.lastActiveNanos");

    private final ConnectionLimits limits;
    private final LongSupplier nanoClock;
    private final ChannelHandler activity;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final Map<String, Integer> perListener = new HashMap<>();
    private final Map<String, List<Channel>> servers = new HashMap<>();
    private final Map<String, Boolean> accepting = new HashMap<>();
    /** Connections of non-exempt listeners, which an exempt listener's connection may evict; only with eviction. */
    private final Set<Channel> evictable = new HashSet<>();
    /** Evicted connections whose close has not completed: they still count, but are not evicted twice. */
    private final Set<Channel> evicting = new HashSet<>();
    private int total;
    private boolean atBrokerLimitLogged;

    public ConnectionQuotas(ConnectionLimits limits) {
        this(limits, System::nanoTime);
    }

    /** @param nanoClock the clock of connections' last activity */
    public ConnectionQuotas(ConnectionLimits limits, LongSupplier nanoClock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.activity = limits.evictsAtLimit() ? new ActivityRecorder() : null;
    }

    /** Puts a listener's server channel under its limits. */
    public void addServer(String listenerName, Channel serverChannel) {
        synchronized (this) {
            servers.computeIfAbsent(listenerName, l -> new ArrayList<>()).add(serverChannel);
            boolean accept = mayAccept(listenerName);
            accepting.put(listenerName, accept);
            serverChannel.config().setAutoRead(accept);
        }
    }

    /**
     * Counts a newly accepted connection of {@code listenerName}; false (and a log line) if its address already has
     * its maximum, in which case the caller closes it and it is not counted.
     */
    public boolean admit(Channel channel, String listenerName) {
        InetAddress address = address(channel);
        List<Channel> evict = new ArrayList<>();
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
            perListener.merge(listenerName, 1, Integer::sum);
            total++;
            if (activity != null) {
                channel.attr(LAST_ACTIVE).set(new AtomicLong(nanoClock.getAsLong()));
                if (!limits.exemptListeners().contains(listenerName)) {
                    evictable.add(channel);
                }
                while (total - evicting.size() > limits.maxConnections() && !evictable.isEmpty()) {
                    Channel lru = leastRecentlyActive();
                    evictable.remove(lru);
                    evicting.add(lru);
                    evict.add(lru);
                }
            }
            updateAccepting();
        }
        channel.closeFuture().addListener(f -> release(channel, address, listenerName));
        for (Channel lru : evict) {
            log.info("Closing the least recently active connection {} (listener not exempt): a connection of the "
                    + "exempt listener {} took the broker past max.connections={}", lru.remoteAddress(),
                    listenerName, limits.maxConnections());
            lru.close();
        }
        return true;
    }

    /**
     * The handler that records a connection's activity for eviction, to put first in its pipeline; null when no
     * connection can be evicted.
     */
    public ChannelHandler activityRecorder() {
        return activity;
    }

    private synchronized void release(Channel channel, InetAddress address, String listenerName) {
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
        perListener.computeIfPresent(listenerName, (l, n) -> n <= 1 ? null : n - 1);
        evictable.remove(channel);
        evicting.remove(channel);
        total--;
        updateAccepting();
    }

    /** Starts or stops each listener's server channels as its limits now allow. Under the lock. */
    private void updateAccepting() {
        servers.forEach((listener, channels) -> {
            boolean accept = mayAccept(listener);
            if (accepting.put(listener, accept) != accept) {
                if (!accept) {
                    log.info("Listener {} stopped accepting at {} connections ({} on it): {} reached", listener, total,
                            perListener.getOrDefault(listener, 0), perListener.getOrDefault(listener, 0)
                                    >= limits.limitOf(listener) ? "listener.name." + listener + ".max.connections"
                                    : "max.connections");
                }
                channels.forEach(server -> server.config().setAutoRead(accept));
            }
        });
        boolean atLimit = total >= limits.maxConnections();
        if (atLimit && !atBrokerLimitLogged) {
            log.info("{} connections: the broker-wide max.connections is reached; waiting for one to close before "
                    + "accepting more on listeners other than {}", total, limits.exemptListeners());
        }
        atBrokerLimitLogged = atLimit;
    }

    /** Kafka's connectionSlotAvailable: the listener's own limit, then the broker's unless exempt. */
    private boolean mayAccept(String listener) {
        if (perListener.getOrDefault(listener, 0) >= limits.limitOf(listener)) {
            return false;
        }
        return limits.exemptListeners().contains(listener) || total < limits.maxConnections();
    }

    private Channel leastRecentlyActive() {
        Channel lru = null;
        long oldest = Long.MAX_VALUE;
        for (Channel c : evictable) {
            long at = c.attr(LAST_ACTIVE).get().get();
            if (lru == null || at - oldest < 0) {
                lru = c;
                oldest = at;
            }
        }
        return lru;
    }

    /** Connections counted now (tests, metrics). */
    public synchronized int connections() {
        return total;
    }

    private static InetAddress address(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** Stamps each read with the clock, for {@link #leastRecentlyActive}. */
    @ChannelHandler.Sharable
    private final class ActivityRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            AtomicLong last = ctx.channel().attr(LAST_ACTIVE).get();
            if (last != null) {
                last.set(nanoClock.getAsLong());
            }
            ctx.fireChannelRead(msg);
        }
    }
}
