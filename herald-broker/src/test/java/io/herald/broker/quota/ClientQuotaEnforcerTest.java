package io.herald.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.metadata.image.ClientQuotas;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.RequestThrottle.Throttled;
import io.herald.protocol.Response;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/**
 * Client quotas as the broker enforces them, on a frozen clock: which quota applies (Kafka's precedence), the
 * throttle time Kafka's formula gives, quota changes applied to the next request, and the exemptions.
 */
class ClientQuotaEnforcerTest {
    private static final double MB = 1_000_000;

    private final ManualTime time = new ManualTime();
    private final AtomicReference<ClusterImage> image = new AtomicReference<>(ClusterImage.EMPTY);
    private final ClientQuotaEnforcer enforcer = new ClientQuotaEnforcer(() -> image.get().clientQuotas(),
            QuotaSettings.defaults(), time);

    private static QuotaEntity entity(String... typesAndNames) {
        Map<String, Optional<String>> parts = new LinkedHashMap<>();
        for (int i = 0; i < typesAndNames.length; i += 2) {
            parts.put(typesAndNames[i], Optional.ofNullable(typesAndNames[i + 1]));
        }
        return QuotaEntity.of(parts);
    }

    private void set(QuotaEntity entity, String key, double value) {
        image.set(image.get().apply(new ClientQuotaRecord(entity, key, OptionalDouble.of(value))));
    }

    private void remove(QuotaEntity entity, String key) {
        image.set(image.get().apply(new ClientQuotaRecord(entity, key, OptionalDouble.empty())));
    }

    private static KafkaRequest request(ApiMessage data, short version, String user, String clientId, int size) {
        AbstractRequest body = AbstractRequest.parseRequest(ApiKeys.forId(data.apiKey()), version,
                MessageUtil.toByteBufferAccessor(data, version)).request;
        return new KafkaRequest(new RequestHeader(body.apiKey(), version, clientId, 1), body, size,
                new InetSocketAddress("127.0.0.1", 40000), 0L, new ConnectionContext("SASL_PLAINTEXT",
                SecurityProtocol.SASL_PLAINTEXT, new KafkaPrincipal("User", user)));
    }

    private static KafkaRequest produce(String user, String clientId, int size, short acks) {
        return request(new ProduceRequestData().setAcks(acks).setTimeoutMs(1000), (short) 9, user, clientId, size);
    }

    private Throttled produceAndAnswer(String user, String clientId, int size) {
        return enforcer.apply(produce(user, clientId, size, (short) 1), new Response.Send(new ProduceResponseData()),
                0);
    }

    @Test
    void withoutQuotasNothingIsThrottledOrRewritten() {
        Response answer = new Response.Send(new ProduceResponseData());
        Throttled t = enforcer.apply(produce("alice", "app", 100_000_000, (short) 1), answer, 1_000_000_000L);

        assertThat(t.muteMs()).isZero();
        assertThat(t.response()).isSameAs(answer);
    }

    @Test
    void aProducerOverItsByteRateIsThrottledByKafkasFormula() {
        set(entity(QuotaEntity.USER, "alice"), "producer_byte_rate", MB);

        // A first sample is measured over all windows but the current one: 5 MB in 10 s is half the quota.
        assertThat(produceAndAnswer("alice", "app", 5_000_000).muteMs()).isZero();
        // 15 MB in 10 s is 1.5 MB/s: (1.5 - 1) / 1 * 10 s = 5 s.
        Throttled t = produceAndAnswer("alice", "app", 10_000_000);

        assertThat(t.muteMs()).isEqualTo(5_000);
        assertThat(((ProduceResponseData) ((Response.Send) t.response()).data()).throttleTimeMs()).isEqualTo(5_000);
        // Another user has no quota.
        assertThat(produceAndAnswer("bob", "app", 100_000_000).muteMs()).isZero();
    }

    @Test
    void theRateFallsBackOnceTheClientWaits() {
        set(entity(QuotaEntity.USER, "alice"), "producer_byte_rate", MB);
        assertThat(produceAndAnswer("alice", "app", 15_000_000).muteMs()).isEqualTo(5_000);

        time.advance(11_000); // every sample of the burst has expired

        assertThat(produceAndAnswer("alice", "app", 1_000).muteMs()).isZero();
    }

    @Test
    void theMostSpecificEntityWinsPerQuotaType() {
        set(entity(QuotaEntity.USER, "alice"), "producer_byte_rate", 100 * MB);
        set(entity(QuotaEntity.USER, "alice", QuotaEntity.CLIENT_ID, "slow"), "producer_byte_rate", MB);
        set(entity(QuotaEntity.USER, null), "producer_byte_rate", MB);
        set(entity(QuotaEntity.CLIENT_ID, "batch"), "producer_byte_rate", 2 * MB);

        // /users/alice/clients/slow beats /users/alice.
        assertThat(produceAndAnswer("alice", "slow", 15_000_000).muteMs()).isEqualTo(5_000);
        // /users/alice for alice's other clients: 15 MB in 10 s is far below 100 MB/s.
        assertThat(produceAndAnswer("alice", "fast", 15_000_000).muteMs()).isZero();
        // /users/<default> beats /clients/batch for a user without a quota of their own.
        assertThat(produceAndAnswer("carol", "batch", 15_000_000).muteMs()).isEqualTo(5_000);
    }

    @Test
    void clientsOfAUserQuotaShareOneMeasurement() {
        set(entity(QuotaEntity.USER, "alice"), "producer_byte_rate", MB);

        assertThat(produceAndAnswer("alice", "one", 8_000_000).muteMs()).isZero();
        // The second client's 7 MB adds to the first's: 15 MB in 10 s.
        assertThat(produceAndAnswer("alice", "two", 7_000_000).muteMs()).isEqualTo(5_000);
    }

    @Test
    void aQuotaChangeAppliesToTheNextRequest() {
        QuotaEntity alice = entity(QuotaEntity.USER, "alice");
        set(alice, "producer_byte_rate", MB);
        assertThat(produceAndAnswer("alice", "app", 15_000_000).muteMs()).isEqualTo(5_000);

        remove(alice, "producer_byte_rate");

        assertThat(produceAndAnswer("alice", "app", 15_000_000).muteMs()).isZero();
    }

    @Test
    void acksZeroProducesAreMutedThoughTheyHaveNoAnswerToCarryIt() {
        set(entity(QuotaEntity.USER, "alice"), "producer_byte_rate", MB);
        set(entity(QuotaEntity.USER, "alice"), "request_percentage", 0.001);

        Throttled t = enforcer.apply(produce("alice", "app", 15_000_000, (short) 0), new Response.NoResponse(), 1_000_000_000L);

        // Only the byte rate counts: acks=0 requests are not charged request time, as in Kafka.
        assertThat(t.muteMs()).isEqualTo(5_000);
    }

    @Test
    void requestTimeIsChargedAndItsThrottleIsAtMostOneWindow() {
        set(entity(QuotaEntity.CLIENT_ID, "app"), "request_percentage", 10);
        KafkaRequest metadata = request(new MetadataRequestData(), (short) 12, "alice", "app", 50);

        // 2 s of handler time in 10 s is 20% of a thread: double the quota, which the first window's bound caps.
        Throttled t = enforcer.apply(metadata, new Response.Send(new MetadataResponseData()), 2_000_000_000L);

        assertThat(t.muteMs()).isEqualTo(1_000);
        assertThat(((MetadataResponseData) ((Response.Send) t.response()).data()).throttleTimeMs()).isEqualTo(1_000);
    }

    @Test
    void followerFetchesAreExemptAndConsumerFetchesAreCapped() {
        set(entity(QuotaEntity.USER, null), "consumer_byte_rate", MB);
        FetchQuota quota = enforcer.fetchQuota();
        KafkaRequest consumer = request(new FetchRequestData().setReplicaId(-1).setMaxBytes(50_000_000),
                (short) 12, "alice", "app", 50);
        KafkaRequest follower = request(new FetchRequestData().setReplicaId(2).setMaxBytes(50_000_000),
                (short) 12, "alice", "app", 50);

        // At most the quota over all windows but one: 10 MB.
        assertThat(quota.maxBytes(consumer, 50_000_000)).isEqualTo(10_000_000);
        assertThat(quota.maxBytes(follower, 50_000_000)).isEqualTo(50_000_000);
        assertThat(quota.recordAndThrottleMs(consumer, 8_000_000)).isZero();
        // Over the quota: throttled, and the bytes are taken back, since the answer carries no records.
        assertThat(quota.recordAndThrottleMs(consumer, 7_000_000)).isEqualTo(5_000);
        assertThat(quota.recordAndThrottleMs(consumer, 1_000_000)).isZero();
        assertThat(quota.recordAndThrottleMs(follower, 100_000_000)).isZero();
    }

    @Test
    void strictMutationQuotasRefuseOnceTheBucketIsEmptyAndRefillAtTheRate() {
        set(entity(QuotaEntity.USER, "alice"), "controller_mutation_rate", 1);
        KafkaRequest create = request(new MetadataRequestData(), (short) 12, "alice", "app", 50);

        // The bucket holds rate x windows x window size = 11 partitions; a request may take it below zero.
        MutationQuota first = enforcer.mutationQuota(create, true);
        assertThat(first.tryTake(10)).isTrue();
        assertThat(first.tryTake(5)).isTrue();
        assertThat(first.throttleTimeMs()).isEqualTo(4_000);

        MutationQuota second = enforcer.mutationQuota(create, true);
        assertThat(second.tryTake(1)).isFalse();
        assertThat(second.throttleTimeMs()).isEqualTo(4_000);
        // A permissive (older) request version is never refused, only throttled.
        MutationQuota permissive = enforcer.mutationQuota(create, false);
        assertThat(permissive.tryTake(1)).isTrue();
        assertThat(permissive.throttleTimeMs()).isEqualTo(5_000);

        time.advance(5_000);
        MutationQuota later = enforcer.mutationQuota(create, true);
        assertThat(later.tryTake(1)).isTrue();
        assertThat(later.throttleTimeMs()).isEqualTo(1_000);
    }

    @Test
    void emptyQuotasAreTheNoQuotaPath() {
        assertThat(ClientQuotas.EMPTY.isEmpty()).isTrue();
        assertThat(enforcer.mutationQuota(request(new MetadataRequestData(), (short) 12, "a", "b", 1), true))
                .isSameAs(MutationQuota.UNBOUNDED);
    }
}
