package io.herald.group.consumer;

import java.util.Collection;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Checks a ConsumerGroupHeartbeat request before any state is looked at, with Kafka's error codes
 * and messages (the messages are what Kafka's own tests assert, so tools that show them read the
 * same). Stateless.
 */
final class HeartbeatRequestValidator {

    static final int LEAVE_GROUP_MEMBER_EPOCH = -1;
    static final int LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

    private HeartbeatRequestValidator() {
    }

    static void validate(ConsumerGroupHeartbeatRequestData request, short apiVersion, Collection<String> assignors) {
        // v0 lets the coordinator pick the member id on the first heartbeat; from v1 the client does.
        if ((apiVersion >= 1 || request.memberEpoch() != 0) && isBlank(request.memberId())) {
            fail("MemberId can't be empty.");
        }
        if (isBlank(request.groupId())) {
            fail("GroupId can't be empty.");
        }
        if (request.instanceId() != null && isBlank(request.instanceId())) {
            fail("InstanceId can't be empty.");
        }
        if (request.rackId() != null && isBlank(request.rackId())) {
            fail("RackId can't be empty.");
        }
        if (request.memberEpoch() == 0) {
            if (request.rebalanceTimeoutMs() == -1) {
                fail("RebalanceTimeoutMs must be provided in first request.");
            }
            if (request.topicPartitions() == null || !request.topicPartitions().isEmpty()) {
                fail("TopicPartitions must be empty when (re-)joining.");
            }
            if (request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null) {
                fail("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            }
        } else if (request.memberEpoch() == LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            if (request.instanceId() == null) {
                fail("InstanceId can't be null.");
            }
        } else if (request.memberEpoch() < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            fail("MemberEpoch is invalid.");
        }
        String regex = request.subscribedTopicRegex();
        if (regex != null && !regex.isEmpty()) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new GroupCoordinatorException(Errors.INVALID_REGULAR_EXPRESSION,
                        "SubscribedTopicRegex `" + regex + "` is not a valid regular expression: "
                                + e.getDescription() + ".");
            }
        }
        if (request.serverAssignor() != null && !assignors.contains(request.serverAssignor())) {
            throw new GroupCoordinatorException(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor "
                    + request.serverAssignor() + " is not supported. Supported assignors: "
                    + String.join(", ", assignors) + ".");
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.trim().isEmpty();
    }

    private static void fail(String message) {
        throw new GroupCoordinatorException(Errors.INVALID_REQUEST, message);
    }
}
