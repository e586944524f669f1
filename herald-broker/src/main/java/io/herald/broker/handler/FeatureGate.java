package io.herald.broker.handler;

import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;

/**
 * The APIs a finalized feature level switches on, as Kafka's KafkaApis checks them per request: with
 * {@code share.version} below 1 the share-group APIs, and with {@code group.version} below 1 the KIP-848 consumer
 * group APIs, answer UNSUPPORTED_VERSION (the request's own error response) although they stay in ApiVersions.
 * A level changed by UpdateFeatures applies to the next request.
 *
 * <p>Thread-safety: thread-safe; reads the current image on every request.
 */
public final class FeatureGate {
    private final Supplier<ClusterImage> images;

    public FeatureGate(Supplier<ClusterImage> images) {
        this.images = images;
    }

    /** {@code api}, answering UNSUPPORTED_VERSION while {@code feature} is finalized below {@code minLevel}. */
    public ServedApi require(String feature, short minLevel, ServedApi api) {
        return new ServedApi(api.key(), api.versions(), request -> {
            short level = images.get().features().level(feature);
            if (level >= minLevel) {
                return api.handler().handle(request);
            }
            // Kafka's answer: the request's error response for Errors.UNSUPPORTED_VERSION, with its default message.
            return CompletableFuture.completedFuture(new Response.Send(
                    request.body().getErrorResponse(0, Errors.UNSUPPORTED_VERSION.exception()).data()));
        });
    }
}
