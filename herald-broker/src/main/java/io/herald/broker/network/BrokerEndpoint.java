package io.herald.broker.network;

/** Where one broker reaches another: the broker id and its advertised address. */
public record BrokerEndpoint(int brokerId, String host, int port) {
    @Override
    public String toString() {
        return brokerId + "@" + host + ":" + port;
    }
}
