package io.herald.group.share;

import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;

/**
 * Checks a ShareGroupHeartbeat request on its own, before any group is looked at, with Kafka 4.3.1's rules and
 * messages: KafkaApis' member id check (non-empty, at most 36 characters: a UUID string), then the group
 * coordinator's ({@code throwIfShareGroupHeartbeatRequestIsInvalid}). Every failure is INVALID_REQUEST. Stateless.
 */
final class ShareHeartbeatValidator {

    static final int LEAVE_GROUP_MEMBER_EPOCH = -1;
    /** KafkaApis.isMemberIdValid: the client generates a UUID, whose string form has 36 characters. */
    private static final int MAX_MEMBER_ID_LENGTH = 36;

    private ShareHeartbeatValidator() {
    }

    static void validate(ShareGroupHeartbeatRequestData request) {
        String memberId = request.memberId();
        if (memberId == null || memberId.isEmpty() || memberId.length() > MAX_MEMBER_ID_LENGTH) {
            throw ShareGroupException.invalidRequest("Invalid member id in the request.");
        }
        throwIfBlank(memberId, "MemberId can't be empty.");
        throwIfBlank(request.groupId(), "GroupId can't be empty.");
        throwIfBlank(request.rackId(), "RackId can't be empty.");
        if (request.memberEpoch() == 0) {
            if (request.subscribedTopicNames() == null || request.subscribedTopicNames().isEmpty()) {
                throw ShareGroupException.invalidRequest("SubscribedTopicNames must be set in first request.");
            }
        } else if (request.memberEpoch() < LEAVE_GROUP_MEMBER_EPOCH) {
            throw ShareGroupException.invalidRequest("MemberEpoch is invalid.");
        }
    }

    /** Kafka's Utils.throwIfEmptyString: null passes (not sent), blank fails. */
    private static void throwIfBlank(String value, String message) {
        if (value != null && value.trim().isEmpty()) {
            throw ShareGroupException.invalidRequest(message);
        }
    }
}
