package io.herald.metadata.image;

import java.util.Optional;

/** A registered broker and the address clients reach it at. */
public record BrokerImage(int brokerId, String host, int port, Optional<String> rack) {}
