package io.herald.metadata.controller;

import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordWriter;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.record.MetadataRecordSerde;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to a {@link ControllerCommand}: the log index it was applied at, a Kafka error code
 * ({@link Errors#NONE} on success) with its message, and a command-specific payload on success.
 *
 * <p>Format: {@code [byte version][int64 index][int16 error][utf message][int32 n][n bytes payload]}, where utf
 * is Java's modified UTF-8 with a uint16 length ({@link RecordWriter#modifiedUtf8}); the payload helpers below
 * are unversioned, their layout is part of the command's. Golden fixtures: {@code golden/controller-reply/} in
 * the tests. Immutable by convention (the payload array is not copied).
 *
 * @param index the applying entry's index, or -1 for a validate-only answer
 */
public record ControllerReply(long index, short errorCode, String message, byte[] payload) {
    private static final byte VERSION = 1;

    public static ControllerReply success(long index, byte[] payload) {
        return new ControllerReply(index, Errors.NONE.code(), "", payload);
    }

    public static ControllerReply failure(long index, Errors error, String message) {
        return new ControllerReply(index, error.code(), message == null ? "" : message, new byte[0]);
    }

    public boolean isSuccess() {
        return errorCode == Errors.NONE.code();
    }

    public Errors error() {
        return Errors.forCode(errorCode);
    }

    /** The Kafka exception this reply stands for; only for a failure. */
    public ApiException exception() {
        return error().exception(message.isEmpty() ? null : message);
    }

    public byte[] encode() {
        return new RecordWriter(32 + payload.length).int8(VERSION).int64(index).int16(errorCode).modifiedUtf8(message)
                .bytes(payload).toBytes();
    }

    public static ControllerReply decode(byte[] bytes) {
        return ControllerCommandSerde.read(bytes, "controller reply", in -> {
            byte version = in.int8();
            if (version != VERSION) {
                throw new ControllerCommandSerde.UnsupportedVersionException("controller reply version " + version);
            }
            return new ControllerReply(in.int64(), in.int16(), in.modifiedUtf8(), in.bytes());
        });
    }

    /** One partition's outcome in a multi-partition command (reassignment, election). */
    public record PartitionError(String topic, int partition, short errorCode, String message) {
        public Errors error() {
            return Errors.forCode(errorCode);
        }
    }

    /** {@code list(topic:utf partition:int32 error:int16 message:utf)}. */
    static byte[] encodePartitionErrors(List<PartitionError> errors) {
        return new RecordWriter().list(errors, (out, e) -> out.modifiedUtf8(e.topic()).int32(e.partition())
                .int16(e.errorCode()).modifiedUtf8(e.message())).toBytes();
    }

    static List<PartitionError> decodePartitionErrors(byte[] payload) {
        return ControllerCommandSerde.read(payload, "controller reply partition errors", in -> in.list(r ->
                new PartitionError(r.modifiedUtf8(), r.int32(), r.int16(), r.modifiedUtf8())));
    }

    /**
     * One user's outcome in AlterScramCredentials.
     *
     * @param message Kafka's message, empty for none (success, and Kafka's UNKNOWN_SERVER_ERROR)
     */
    public record UserError(String user, short errorCode, String message) {
        public Errors error() {
            return Errors.forCode(errorCode);
        }
    }

    /** {@code list(user:utf error:int16 message:utf)}. */
    static byte[] encodeUserErrors(List<UserError> errors) {
        return new RecordWriter().list(errors, (out, e) -> out.modifiedUtf8(e.user()).int16(e.errorCode())
                .modifiedUtf8(e.message())).toBytes();
    }

    static List<UserError> decodeUserErrors(byte[] payload) {
        return ControllerCommandSerde.read(payload, "controller reply user errors", in -> in.list(r ->
                new UserError(r.modifiedUtf8(), r.int16(), r.modifiedUtf8())));
    }

    /**
     * One binding's outcome in CreateAcls, or one filter's in DeleteAcls.
     *
     * @param message  Kafka's message, empty for none
     * @param bindings the bindings a DeleteAcls filter matched and deleted, in id order; empty for CreateAcls and
     *                 for a refused filter
     */
    public record AclResult(short errorCode, String message, List<AclBinding> bindings) {
        public AclResult {
            Objects.requireNonNull(message, "message");
            bindings = List.copyOf(bindings);
        }

        public Errors error() {
            return Errors.forCode(errorCode);
        }
    }

    /** {@code list(error:int16 message:utf bindings:list(binding))}, a binding as {@link MetadataRecordSerde}'s. */
    static byte[] encodeAclResults(List<AclResult> results) {
        return new RecordWriter().list(results, (out, r) -> out.int16(r.errorCode()).modifiedUtf8(r.message())
                .list(r.bindings(), MetadataRecordSerde::writeAclBinding)).toBytes();
    }

    static List<AclResult> decodeAclResults(byte[] payload) {
        return ControllerCommandSerde.read(payload, "controller reply ACL results", in -> in.list(r ->
                new AclResult(r.int16(), r.modifiedUtf8(), r.list(MetadataRecordSerde::readAclBinding))));
    }

    /**
     * One entity's outcome in AlterClientQuotas.
     *
     * @param message Kafka's message, empty for none
     */
    public record EntityError(QuotaEntity entity, short errorCode, String message) {
        public Errors error() {
            return Errors.forCode(errorCode);
        }
    }

    /** {@code list(entity error:int16 message:utf)}, an entity as {@link MetadataRecordSerde}'s. */
    static byte[] encodeEntityErrors(List<EntityError> errors) {
        return new RecordWriter().list(errors, (out, e) -> {
            MetadataRecordSerde.writeQuotaEntity(out, e.entity());
            out.int16(e.errorCode()).modifiedUtf8(e.message());
        }).toBytes();
    }

    static List<EntityError> decodeEntityErrors(byte[] payload) {
        return ControllerCommandSerde.read(payload, "controller reply entity errors", in -> in.list(r ->
                new EntityError(MetadataRecordSerde.readQuotaEntity(r), r.int16(), r.modifiedUtf8())));
    }

    /** An outcome's error code and message as Kafka's {@link ApiError}; an empty message is none. */
    static org.apache.kafka.common.requests.ApiError apiError(short errorCode, String message) {
        return errorCode == 0 ? org.apache.kafka.common.requests.ApiError.NONE
                : new org.apache.kafka.common.requests.ApiError(Errors.forCode(errorCode),
                        message.isEmpty() ? null : message);
    }

    static byte[] encodeLong(long value) {
        return new RecordWriter(8).int64(value).toBytes();
    }

    static long decodeLong(byte[] payload) {
        return ControllerCommandSerde.read(payload, "controller reply number", RecordReader::int64);
    }

    static byte[] encodeString(String value) {
        return new RecordWriter().modifiedUtf8(value).toBytes();
    }

    static String decodeString(byte[] payload) {
        return ControllerCommandSerde.read(payload, "controller reply text", RecordReader::modifiedUtf8);
    }
}
