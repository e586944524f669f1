package io.herald.http.rest;

import io.herald.http.server.HttpReply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's errors as HTTP answers: {@code {"error_code": <HTTP status>, "error_name": "<Kafka error>",
 * "message": "..."}}, the REST Proxy v3 shape with Kafka's error name beside it. Unknown topics and groups are
 * 404, bad requests and refused configs 400, a name taken 409, authorization 401/403, a cluster that does not
 * answer in time 503, anything else 500.
 */
public final class RestErrors {
    private RestErrors() {
    }

    /** The error's answer. */
    public static HttpReply reply(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RestException rest) {
            return RestJson.error(rest.status(), null, rest.getMessage());
        }
        String name = e instanceof ApiException api ? Errors.forException(api).name() : null;
        return RestJson.error(status(e), name, String.valueOf(e.getMessage()));
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * The first class the error is an instance of decides; more specific classes come first (kafka-clients'
     * AuthenticationException is an InvalidConfigurationException).
     */
    private static final List<Map.Entry<Class<? extends Throwable>, Integer>> STATUSES = List.of(
            Map.entry(AuthenticationException.class, 401),
            Map.entry(AuthorizationException.class, 403),
            Map.entry(UnknownTopicOrPartitionException.class, 404),
            Map.entry(GroupIdNotFoundException.class, 404),
            Map.entry(TopicExistsException.class, 409),
            Map.entry(GroupNotEmptyException.class, 409),
            Map.entry(InvalidReplicationFactorException.class, 400),
            Map.entry(InvalidTopicException.class, 400),
            Map.entry(InvalidPartitionsException.class, 400),
            Map.entry(InvalidConfigurationException.class, 400),
            Map.entry(InvalidRequestException.class, 400),
            Map.entry(PolicyViolationException.class, 400),
            Map.entry(RecordTooLargeException.class, 413),
            Map.entry(TimeoutException.class, 503),
            Map.entry(RetriableException.class, 503),
            Map.entry(IllegalArgumentException.class, 400));

    private static int status(Throwable e) {
        return STATUSES.stream().filter(s -> s.getKey().isInstance(e)).map(Map.Entry::getValue).findFirst()
                .orElse(500);
    }
}
