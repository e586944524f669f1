package io.herald.broker.share;

import java.util.List;

/**
 * One acknowledgement batch of a request: offsets {@code [firstOffset, lastOffset]} and either one type for all of
 * them or one type per offset (then {@code types.size() == lastOffset - firstOffset + 1}), as the wire has it. The
 * handler validates the shape before it gets here.
 */
public record AcknowledgementBatch(long firstOffset, long lastOffset, List<Byte> types) {
    public AcknowledgementBatch {
        types = List.copyOf(types);
    }

    /** The type of {@code offset}, which the batch covers. */
    byte typeOf(long offset) {
        return types.size() == 1 ? types.get(0) : types.get((int) (offset - firstOffset));
    }
}
