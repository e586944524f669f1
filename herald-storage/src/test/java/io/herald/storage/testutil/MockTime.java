package io.herald.storage.testutil;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.kafka.common.utils.Time;

/** A manual clock: time moves only when a test calls {@link #sleep} or {@link #advance}. */
public final class MockTime implements Time {
    private final AtomicLong nanos;

    public MockTime(long startMs) {
        this.nanos = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(startMs));
    }

    public void advance(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Override
    public long milliseconds() {
        return TimeUnit.NANOSECONDS.toMillis(nanos.get());
    }

    @Override
    public long nanoseconds() {
        return nanos.get();
    }

    @Override
    public void sleep(long ms) {
        advance(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (!condition.get()) {
            throw new IllegalStateException("MockTime cannot wait for a condition");
        }
    }
}
