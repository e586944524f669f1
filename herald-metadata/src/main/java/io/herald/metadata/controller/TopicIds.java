package io.herald.metadata.controller;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;

/**
 * Topic ids derived from the log index of the creating entry and the topic name, so every quorum member
 * assigns the same id (a random id would differ per member). Never one of Kafka's reserved ids
 * ({@link Uuid#ZERO_UUID}, {@link Uuid#METADATA_TOPIC_ID}), never one whose base64 form starts with '-'
 * (Kafka avoids those: they read as command-line options), never one already in use. ACL binding ids are derived
 * the same way ({@code AclControl}, from the binding's position in its request). Stateless.
 */
final class TopicIds {
    private TopicIds() {
    }

    static Uuid derive(long index, String name, Predicate<Uuid> taken) {
        for (int attempt = 0; ; attempt++) {
            ByteBuffer hash = ByteBuffer.wrap(sha256(index, name, attempt));
            Uuid id = new Uuid(hash.getLong(), hash.getLong());
            if (!id.equals(Uuid.ZERO_UUID) && !id.equals(Uuid.METADATA_TOPIC_ID)
                    && !id.toString().startsWith("-") && !taken.test(id)) {
                return id;
            }
        }
    }

    private static byte[] sha256(long index, String name, int attempt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(ByteBuffer.allocate(12).putLong(index).putInt(attempt).array());
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
