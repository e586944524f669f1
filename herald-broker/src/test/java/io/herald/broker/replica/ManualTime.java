package io.herald.broker.replica;

import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/** A clock the test moves by hand. Thread-safe reads. */
public final class ManualTime implements Time {
    private volatile long now = 1_000_000L;

    public void advance(long ms) {
        now += ms;
    }

    @Override
    public long milliseconds() {
        return now;
    }

    @Override
    public long nanoseconds() {
        return now * 1_000_000L;
    }

    @Override
    public void sleep(long ms) {
        advance(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        throw new UnsupportedOperationException();
    }
}
