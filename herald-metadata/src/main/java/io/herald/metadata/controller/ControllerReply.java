package io.herald.metadata.controller;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to a {@link ControllerCommand}: the log index it was applied at, a Kafka error code
 * ({@link Errors#NONE} on success) with its message, and a command-specific payload on success.
 *
 * <p>Format: {@code [byte version][int64 index][int16 error][utf message][int32 n][n bytes payload]}.
 * Immutable by convention (the payload array is not copied).
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
        return ControllerCommandSerde.write(out -> {
            out.writeByte(VERSION);
            out.writeLong(index);
            out.writeShort(errorCode);
            out.writeUTF(message);
            out.writeInt(payload.length);
            out.write(payload);
        });
    }

    public static ControllerReply decode(byte[] bytes) {
        return ControllerCommandSerde.read(bytes, in -> {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new ControllerCommandSerde.UnsupportedVersionException("controller reply version " + version);
            }
            long index = in.readLong();
            short error = in.readShort();
            String message = in.readUTF();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            return new ControllerReply(index, error, message, payload);
        });
    }

    /** One partition's outcome in a multi-partition command (reassignment, election). */
    public record PartitionError(String topic, int partition, short errorCode, String message) {
        public Errors error() {
            return Errors.forCode(errorCode);
        }
    }

    static byte[] encodePartitionErrors(List<PartitionError> errors) {
        return ControllerCommandSerde.write(out -> {
            out.writeInt(errors.size());
            for (PartitionError e : errors) {
                out.writeUTF(e.topic());
                out.writeInt(e.partition());
                out.writeShort(e.errorCode());
                out.writeUTF(e.message());
            }
        });
    }

    static List<PartitionError> decodePartitionErrors(byte[] payload) {
        return ControllerCommandSerde.read(payload, in -> {
            List<PartitionError> errors = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                errors.add(new PartitionError(in.readUTF(), in.readInt(), in.readShort(), in.readUTF()));
            }
            return errors;
        });
    }

    static byte[] encodeLong(long value) {
        return ControllerCommandSerde.write(out -> out.writeLong(value));
    }

    static long decodeLong(byte[] payload) {
        return ControllerCommandSerde.read(payload, in -> in.readLong());
    }

    static byte[] encodeString(String value) {
        return ControllerCommandSerde.write(out -> out.writeUTF(value));
    }

    static String decodeString(byte[] payload) {
        return ControllerCommandSerde.read(payload, in -> in.readUTF());
    }
}
