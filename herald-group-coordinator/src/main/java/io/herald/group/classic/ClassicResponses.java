package io.herald.group.classic;

import java.util.List;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The JoinGroup and SyncGroup answers of the classic protocol, built the way Kafka's coordinator builds them:
 * an error answer carries generation -1, no protocol and an empty leader, which is what clients check before
 * they look at the error code.
 *
 * <p>Stateless.
 */
final class ClassicResponses {

    private ClassicResponses() {
    }

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData().setMemberId(memberId).setErrorCode(error.code()).setGenerationId(-1)
                .setProtocolName(null).setProtocolType(null).setLeader("");
    }

    /** The member's view of the current generation; only the leader gets the members and their metadata. */
    static JoinGroupResponseData currentGeneration(ClassicGroup group, ClassicMember member) {
        return new JoinGroupResponseData()
                .setMembers(group.isLeader(member.memberId()) ? group.joinResponseMembers() : List.of())
                .setMemberId(member.memberId()).setGenerationId(group.generationId())
                .setProtocolName(group.protocolName().orElse(null)).setProtocolType(group.protocolType().orElse(null))
                .setLeader(group.leaderOrNull()).setErrorCode(Errors.NONE.code());
    }

    static SyncGroupResponseData sync(ClassicGroup group, ClassicMember member) {
        return new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setAssignment(member.assignment())
                .setProtocolType(group.protocolType().orElse(null)).setProtocolName(group.protocolName().orElse(null));
    }

    static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }
}
