package io.herald.broker.security;

import io.herald.metadata.api.ScramAdmin;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeUserScramCredentials (API 50) and AlterUserScramCredentials (API 51), version 0 of each (the only one
 * kafka-clients 4.3 knows), as Kafka 4.3.1 serves them; {@code Admin.describeUserScramCredentials} and
 * {@code alterUserScramCredentials}, and {@code kafka-configs.sh --entity-type users}, use them.
 *
 * <ul>
 *   <li>Describe answers from this broker's metadata image, as Kafka's brokers do from theirs (its ScramImage):
 *       a null or empty user list means every user with a credential, in name order; a named user without any
 *       credential gets RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, both with Kafka's message
 *       ending in the user's name; each user's credentials list mechanism and iterations, in mechanism order,
 *       never salt or keys. Named users are answered in request order (Kafka's order is a hash map's).</li>
 *   <li>Alter goes to the controller ({@link ScramAdmin}), which decides per user with Kafka's rules and errors
 *       and applies the accepted alterations in one metadata log entry. Every broker takes it: Herald's
 *       controller is the metadata quorum, reachable from any broker, as Kafka's brokers forward the request to
 *       theirs. If the controller cannot be reached, every user named gets that error (Kafka's
 *       {@code getErrorResponse}); NOT_CONTROLLER makes the Java client retry.</li>
 *   <li>Authorization as Kafka's: describe needs DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED (without
 *       a message) at the top and for every user named; alter needs ALTER on the cluster, else every user named gets
 *       CLUSTER_AUTHORIZATION_FAILED with Kafka's "Request ... needs ALTER permission.". Without an authorizer every
 *       client may.</li>
 * </ul>
 *
 * <p>Thread-safe: the handler holds no state. Describe is answered on the event loop (a read of one immutable
 * image); alter waits for the controller, so it runs on the request pool.
 */
public final class ScramCredentialsHandler {
    private static final Logger log = LoggerFactory.getLogger(ScramCredentialsHandler.class);

    /** Kafka's messages (ScramImage.describe), followed by the user's name. */
    static final String DESCRIBE_DUPLICATE_USER =
            "Cannot describe SCRAM credentials for the same user twice in a single request: ";
    static final String DESCRIBE_USER_THAT_DOES_NOT_EXIST =
            "Attempt to describe a user credential that does not exist: ";

    private final ScramAdmin admin;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;
    private final Executor pool;

    /**
     * @param images        this broker's current metadata image
     * @param authorization the checks of the request's principal
     * @param pool          where alterations wait for the controller
     */
    public ScramCredentialsHandler(ScramAdmin admin, Supplier<ClusterImage> images, Authorization authorization,
                                   Executor pool) {
        this.admin = admin;
        this.images = images;
        this.authorization = Objects.requireNonNull(authorization, "authorization");
        this.pool = pool;
    }

    public ServedApi describeUserScramCredentials() {
        return new ServedApi(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, VersionRange.of(0, 0), request -> {
            DescribeUserScramCredentialsRequest body = (DescribeUserScramCredentialsRequest) request.body();
            // Kafka's KafkaApis answers with the bare error, whose default message ApiError then leaves out.
            return CompletableFuture.completedFuture(new Response.Send(
                    authorization.cluster(request, AclOperation.DESCRIBE) ? describe(body.data(), images.get())
                            : denied(body)));
        });
    }

    /**
     * CLUSTER_AUTHORIZATION_FAILED at the top and for every user named. A request for every user (a null list) gets
     * it at the top only: kafka-clients' {@code getErrorResponse} throws on that request, which would leave the client
     * without an answer.
     */
    private static DescribeUserScramCredentialsResponseData denied(DescribeUserScramCredentialsRequest body) {
        if (body.data().users() == null) {
            return new DescribeUserScramCredentialsResponseData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        }
        return ((DescribeUserScramCredentialsResponse) body.getErrorResponse(0,
                Errors.CLUSTER_AUTHORIZATION_FAILED.exception())).data();
    }

    public ServedApi alterUserScramCredentials() {
        return new ServedApi(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, VersionRange.of(0, 0), request -> {
            AlterUserScramCredentialsRequest body = (AlterUserScramCredentialsRequest) request.body();
            if (!authorization.cluster(request, AclOperation.ALTER)) {
                return CompletableFuture.completedFuture(new Response.Send(body.getErrorResponse(0,
                        Authorization.clusterDenied(request, AclOperation.ALTER)).data()));
            }
            return CompletableFuture.supplyAsync(() -> new Response.Send(alter(body)), pool);
        });
    }

    /** Kafka's ScramImage.describe over {@code image}. */
    static DescribeUserScramCredentialsResponseData describe(DescribeUserScramCredentialsRequestData request,
                                                             ClusterImage image) {
        Map<String, Boolean> duplicated = new LinkedHashMap<>();
        List<UserName> users = request.users();
        if (users == null || users.isEmpty()) {
            image.scramCredentials().byUser().keySet().forEach(user -> duplicated.put(user, false));
        } else {
            users.forEach(user -> duplicated.put(user.name(), duplicated.containsKey(user.name())));
        }
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        duplicated.forEach((user, duplicate) -> response.results().add(describeUser(user, duplicate, image)));
        return response;
    }

    private static DescribeUserScramCredentialsResult describeUser(String user, boolean duplicate,
                                                                   ClusterImage image) {
        DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
        if (duplicate) {
            return result.setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                    .setErrorMessage(DESCRIBE_DUPLICATE_USER + user);
        }
        List<ScramCredentialImage> credentials = image.scramCredentials().of(user);
        if (credentials.isEmpty()) {
            return result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                    .setErrorMessage(DESCRIBE_USER_THAT_DOES_NOT_EXIST + user);
        }
        List<CredentialInfo> infos = new ArrayList<>();
        for (ScramCredentialImage c : credentials) {
            infos.add(new CredentialInfo().setMechanism(c.mechanism().type()).setIterations(c.iterations()));
        }
        return result.setCredentialInfos(infos);
    }

    private AlterUserScramCredentialsResponseData alter(AlterUserScramCredentialsRequest request) {
        AlterUserScramCredentialsRequestData data = request.data();
        List<ScramAdmin.Deletion> deletions = data.deletions().stream()
                .map(d -> new ScramAdmin.Deletion(d.name(), d.mechanism())).toList();
        List<ScramAdmin.Upsertion> upsertions = data.upsertions().stream()
                .map(u -> new ScramAdmin.Upsertion(u.name(), u.mechanism(), u.iterations(), u.salt(),
                        u.saltedPassword())).toList();
        Map<String, ApiError> results;
        try {
            results = admin.alterScramCredentials(deletions, upsertions);
        } catch (RuntimeException e) {
            return failed(request, e);
        }
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        results.forEach((user, error) -> response.results().add(new AlterUserScramCredentialsResult().setUser(user)
                .setErrorCode(error.error().code()).setErrorMessage(error.isSuccess() ? null : error.message())));
        return response;
    }

    /** Every user named gets the controller's failure, as Kafka's broker answers a failed forward. */
    private static AlterUserScramCredentialsResponseData failed(AlterUserScramCredentialsRequest request,
                                                                RuntimeException e) {
        if (!(e instanceof ApiException)) {
            log.warn("AlterUserScramCredentials failed unexpectedly", e);
        }
        return ((AlterUserScramCredentialsResponse) request.getErrorResponse(0, e)).data();
    }
}
