package io.herald.broker.replica.fetcher;

/** Where a follower reaches a partition leader: the broker id and its advertised address. */
public record LeaderEndpoint(int brokerId, String host, int port) {
    @Override
    public String toString() {
        return brokerId + "@" + host + ":" + port;
    }
}
