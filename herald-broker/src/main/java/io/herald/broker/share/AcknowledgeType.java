package io.herald.broker.share;

import java.util.Optional;

/**
 * The acknowledgement types of ShareFetch and ShareAcknowledge, with their wire ids: GAP (0, an offset the client
 * got no record for: a control record or one removed by compaction), ACCEPT (1), RELEASE (2), REJECT (3), and from
 * v2 RENEW (4, KIP-1222: keep the acquisition lock for another lock duration).
 */
public enum AcknowledgeType {
    GAP((byte) 0),
    ACCEPT((byte) 1),
    RELEASE((byte) 2),
    REJECT((byte) 3),
    RENEW((byte) 4);

    private final byte id;

    AcknowledgeType(byte id) {
        this.id = id;
    }

    public byte id() {
        return id;
    }

    public static Optional<AcknowledgeType> forId(byte id) {
        return id >= 0 && id < values().length ? Optional.of(values()[id]) : Optional.empty();
    }
}
