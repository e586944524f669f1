package io.herald.broker.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The error codes a response carries, for the per-API error counter: the partitions' codes of Produce and Fetch
 * (where nearly all of their errors are), else the response's top-level {@code error_code} where it has one.
 * Codes in other nested collections (per topic of CreateTopics, per group of DescribeGroups, ...) are not
 * counted.
 *
 * <p>Thread-safe; the top-level accessor is looked up once per response class.
 */
final class ResponseErrors {
    private static final ClassValue<Optional<MethodHandle>> TOP_LEVEL = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            try {
                return Optional.of(MethodHandles.publicLookup().findVirtual(type, "errorCode",
                        MethodType.methodType(short.class)));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return Optional.empty();
            }
        }
    };

    private ResponseErrors() {
    }

    /** Gives {@code sink} every non-zero error code of {@code response}. */
    static void forEach(ApiMessage response, IntConsumer sink) {
        switch (response) {
            case ProduceResponseData produce -> produce.responses().forEach(topic ->
                    topic.partitionResponses().forEach(p -> report(p.errorCode(), sink)));
            case FetchResponseData fetch -> {
                report(fetch.errorCode(), sink);
                fetch.responses().forEach(topic -> topic.partitions().forEach(p -> report(p.errorCode(), sink)));
            }
            default -> {
                Optional<MethodHandle> accessor = TOP_LEVEL.get(response.getClass());
                if (accessor.isPresent()) {
                    try {
                        report((short) accessor.get().invoke(response), sink);
                    } catch (Throwable e) {
                        throw new IllegalStateException("errorCode() of " + response.getClass().getName(), e);
                    }
                }
            }
        }
    }

    private static void report(short code, IntConsumer sink) {
        if (code != 0) {
            sink.accept(code);
        }
    }
}
