package io.herald.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    @Test
    void startsFullAtTheBurstAndRefillsAtTheRate() {
        TokenBucket bucket = new TokenBucket(11, 1000, 2.0, 0);
        assertThat(bucket.tokens(2.0, 0)).isCloseTo(22.0, within(1e-9));
        bucket.take(30, 2.0, 0);
        assertThat(bucket.tokens(2.0, 0)).isCloseTo(-8.0, within(1e-9));
        assertThat(bucket.tokens(2.0, 4000)).isCloseTo(0.0, within(1e-9));
        assertThat(bucket.tokens(2.0, 100_000)).as("never above the burst").isCloseTo(22.0, within(1e-9));
    }
}
