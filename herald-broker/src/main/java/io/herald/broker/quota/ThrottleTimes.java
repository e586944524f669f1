package io.herald.broker.quota;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The {@code throttle_time_ms} field of a response body, for any API: kafka-clients gives every response message
 * that has the field a {@code throttleTimeMs()} getter and a {@code setThrottleTimeMs(int)} setter, looked up once
 * per message class. A message without the field (a few inter-broker responses) is neither read nor changed.
 *
 * <p>Thread-safe.
 */
final class ThrottleTimes {
    private record Accessors(MethodHandle getter, MethodHandle setter) {}

    private static final ClassValue<Optional<Accessors>> ACCESSORS = new ClassValue<>() {
        @Override
        protected Optional<Accessors> computeValue(Class<?> type) {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            try {
                MethodHandle getter = lookup.findVirtual(type, "throttleTimeMs", MethodType.methodType(int.class));
                MethodHandle setter = lookup.findVirtual(type, "setThrottleTimeMs",
                        MethodType.methodType(type, int.class));
                return Optional.of(new Accessors(getter, setter));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return Optional.empty();
            }
        }
    };

    private ThrottleTimes() {
    }

    /** The response's throttle time; 0 for a message without the field. */
    static int get(ApiMessage response) {
        Optional<Accessors> accessors = ACCESSORS.get(response.getClass());
        if (accessors.isEmpty()) {
            return 0;
        }
        try {
            return (int) accessors.get().getter().invoke(response);
        } catch (Throwable e) {
            throw new IllegalStateException("reading throttle_time_ms of " + response.getClass().getName(), e);
        }
    }

    /**
     * Sets the response's throttle time.
     *
     * @return false for a message without the field
     */
    static boolean set(ApiMessage response, int throttleMs) {
        Optional<Accessors> accessors = ACCESSORS.get(response.getClass());
        if (accessors.isEmpty()) {
            return false;
        }
        try {
            accessors.get().setter().invoke(response, throttleMs);
            return true;
        } catch (Throwable e) {
            throw new IllegalStateException("setting throttle_time_ms of " + response.getClass().getName(), e);
        }
    }
}
