package io.herald.metadata.api;

import io.herald.metadata.image.ClusterImage;

/**
 * The committed cluster metadata as this node has applied it: the current image, and every change to it. What
 * the broker's request handlers and replica manager read instead of the controller.
 *
 * <p>Thread-safety: {@link #image()} is a volatile read from any thread; listeners run on the thread that
 * applies the metadata log, before the change's controller call returns, and must not block.
 */
public interface MetadataPublisher {

    ClusterImage image();

    void addListener(Listener listener);

    /** Told about every image an applied entry changed. */
    @FunctionalInterface
    interface Listener {
        void onImage(ClusterImage previous, ClusterImage current);
    }
}
