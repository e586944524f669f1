package io.herald.protocol.server;

import io.herald.common.quota.SampledRate;
import io.herald.protocol.ConnectionLimits;
import io.herald.protocol.IpConnectionQuota;
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
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
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
 *       channel);</li>
 *   <li>connections arriving faster than {@code max.connection.creation.rate} (broker-wide, exempt listeners
 *       aside) or a listener's own rate pause that listener's accepting for the throttle time (KIP-612);</li>
 *   <li>an address opening connections faster than its {@code connection_creation_rate} ip quota has the new
 *       connection closed after the throttle time, unserved and uncounted.</li>
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
    /** Addresses whose creation rate is measured, at most this many (the idle ones go first). */
    private static final int MAX_MEASURED_ADDRESSES = 10_000;

    private final Supplier<IpConnectionQuota> ipQuota;
    private final Map<InetAddress, SampledRate> ipRates = new HashMap<>();
    private final Map<String, SampledRate> listenerRates = new HashMap<>();
    private final SampledRate brokerRate;
    /** Listener → end of its accept pause (nano clock), while one lasts. */
    private final Map<String, Long> pausedUntil = new HashMap<>();
    private final Set<InetAddress> throttleLogged = new HashSet<>();
    private long acceptPauses;
    private long ipThrottled;
    private int total;
    private boolean atBrokerLimitLogged;

    public ConnectionQuotas(ConnectionLimits limits) {
        this(limits, System::nanoTime, () -> IpConnectionQuota.NONE);
    }

    /**
     * @param nanoClock the clock of connections' last activity and of creation rates
     * @param ipQuota   the ip quotas now (they change with the metadata)
     */
    public ConnectionQuotas(ConnectionLimits limits, LongSupplier nanoClock, Supplier<IpConnectionQuota> ipQuota) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.ipQuota = Objects.requireNonNull(ipQuota, "ipQuota");
        this.activity = limits.evictsAtLimit() ? new ActivityRecorder() : null;
        ConnectionLimits.CreationRates rates = limits.creationRates();
        this.brokerRate = rates.maxRate() < Integer.MAX_VALUE
                ? new SampledRate(rates.samples(), rates.windowMs(), nanoClock.getAsLong() / 1_000_000) : null;
    }

    /**
     * What becomes of a newly accepted connection.
     *
     * @param admitted     it is counted and served
     * @param closeAfterMs when not admitted: close it after this long (an ip quota's throttle time), 0 = at once
     */
    public record Admission(boolean admitted, long closeAfterMs) {
        static final Admission ADMITTED = new Admission(true, 0);
        static final Admission REFUSED = new Admission(false, 0);
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
     * Counts a newly accepted connection of {@code listenerName}, unless its address already has its maximum (closed
     * at once, and a log line) or opens connections faster than its ip quota (closed after the throttle time); the
     * caller closes a connection not admitted, which is not counted.
     */
    public Admission admit(Channel channel, String listenerName) {
        InetAddress address = address(channel);
        List<Channel> evict = new ArrayList<>();
        long pauseMs;
        synchronized (this) {
            long nowMs = nanoClock.getAsLong() / 1_000_000;
            long ipThrottleMs = address == null ? 0 : ipThrottleMs(address, nowMs);
            if (ipThrottleMs > 0) {
                return new Admission(false, ipThrottleMs);
            }
            int current = address == null ? 0 : perAddress.getOrDefault(address, 0);
            int limit = address == null ? Integer.MAX_VALUE : limits.limitFor(address);
            if (current >= limit) {
                log.info("Rejected connection from {}, address already has the configured maximum of {} "
                        + "connections (max.connections.per.ip)", address, limit);
                return Admission.REFUSED;
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
            pauseMs = creationRatePauseMs(listenerName, nowMs);
            updateAccepting();
        }
        channel.closeFuture().addListener(f -> release(channel, address, listenerName));
        for (Channel lru : evict) {
            log.info("Closing the least recently active connection {} (listener not exempt): a connection of the "
                    + "exempt listener {} took the broker past max.connections={}", lru.remoteAddress(),
                    listenerName, limits.maxConnections());
            lru.close();
        }
        if (pauseMs > 0) {
            channel.eventLoop().schedule(this::endPauses, pauseMs, TimeUnit.MILLISECONDS);
        }
        return Admission.ADMITTED;
    }

    /** Records the connection against its address's ip quota; the throttle time when it is over, else 0. */
    private long ipThrottleMs(InetAddress address, long nowMs) {
        OptionalDouble quota = ipQuota.get().creationRate(address);
        if (quota.isEmpty()) {
            return 0;
        }
        if (ipRates.size() >= MAX_MEASURED_ADDRESSES && !ipRates.containsKey(address)) {
            long idleMs = limits.creationRates().samples() * limits.creationRates().windowMs();
            ipRates.values().removeIf(rate -> nowMs - rate.lastRecordMs() > idleMs);
        }
        SampledRate rate = ipRates.computeIfAbsent(address, a -> new SampledRate(limits.creationRates().samples(),
                limits.creationRates().windowMs(), nowMs));
        long throttleMs = record(rate, quota.getAsDouble(), nowMs);
        if (throttleMs > 0) {
            ipThrottled++;
            if (throttleLogged.size() < 1024 && throttleLogged.add(address)) {
                log.info("Throttling connections from {}: over its connection_creation_rate quota of {}/s; each new "
                        + "one is closed after the throttle time (logged once per address)", address,
                        quota.getAsDouble());
            }
        }
        return throttleMs;
    }

    /**
     * Records the connection against its listener's and the broker's creation rates; a rate over its limit pauses
     * accepting (that listener's, or every non-exempt one's) for the throttle time, which it returns (0: none).
     */
    private long creationRatePauseMs(String listenerName, long nowMs) {
        ConnectionLimits.CreationRates rates = limits.creationRates();
        long pauseMs = 0;
        int own = rates.of(listenerName);
        if (own < Integer.MAX_VALUE) {
            SampledRate rate = listenerRates.computeIfAbsent(listenerName,
                    l -> new SampledRate(rates.samples(), rates.windowMs(), nowMs));
            long throttleMs = record(rate, own, nowMs);
            if (throttleMs > 0) {
                pause(listenerName, throttleMs, "listener.name." + listenerName.toLowerCase(java.util.Locale.ROOT)
                        + ".max.connection.creation.rate=" + own);
                pauseMs = throttleMs;
            }
        }
        if (brokerRate != null && !limits.exemptListeners().contains(listenerName)) {
            long throttleMs = record(brokerRate, rates.maxRate(), nowMs);
            if (throttleMs > 0) {
                for (String listener : servers.keySet()) {
                    if (!limits.exemptListeners().contains(listener)) {
                        pause(listener, throttleMs, "max.connection.creation.rate=" + rates.maxRate());
                    }
                }
                pauseMs = Math.max(pauseMs, throttleMs);
            }
        }
        return pauseMs;
    }

    /** Kafka's quota check: one more connection; the throttle time when the rate is then over {@code limit}. */
    private static long record(SampledRate rate, double limit, long nowMs) {
        rate.record(1, nowMs);
        double value = rate.rate(nowMs);
        if (value <= limit) {
            return 0;
        }
        return Math.max(1, (long) ((value - limit) / Math.max(limit, 1e-9) * rate.windowSizeMs(nowMs)));
    }

    private void pause(String listener, long pauseMs, String reason) {
        long until = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(pauseMs);
        Long previous = pausedUntil.get(listener);
        if (previous == null || until - previous > 0) {
            pausedUntil.put(listener, until);
        }
        acceptPauses++;
        log.debug("Listener {} pauses accepting for {} ms: {}", listener, pauseMs, reason);
    }

    /** Ends the accept pauses that are over, and comes back for the others. */
    private void endPauses() {
        long remainingMs;
        Channel anyServer;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            pausedUntil.values().removeIf(until -> now - until >= 0);
            updateAccepting();
            remainingMs = pausedUntil.values().stream()
                    .mapToLong(until -> TimeUnit.NANOSECONDS.toMillis(until - now) + 1).max().orElse(0);
            anyServer = servers.values().stream().flatMap(List::stream).findFirst().orElse(null);
        }
        if (remainingMs > 0 && anyServer != null) {
            anyServer.eventLoop().schedule(this::endPauses, remainingMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Times a listener paused accepting over a creation rate (tests, metrics). */
    public synchronized long acceptPauses() {
        return acceptPauses;
    }

    /** Connections closed unserved over their address's ip quota (tests, metrics). */
    public synchronized long ipThrottled() {
        return ipThrottled;
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

    /** Kafka's connectionSlotAvailable: no accept pause, the listener's own limit, then the broker's unless exempt. */
    private boolean mayAccept(String listener) {
        if (pausedUntil.containsKey(listener)) {
            return false;
        }
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
