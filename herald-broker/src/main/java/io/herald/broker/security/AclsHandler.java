package io.herald.broker.security;

import io.herald.metadata.api.AclAdmin;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData.AclDescription;
import org.apache.kafka.common.message.DescribeAclsResponseData.DescribeAclsResource;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.AclDeleteResult.AclBindingDeleteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeAcls (API 29), CreateAcls (API 30) and DeleteAcls (API 31), versions 1 to 3 (those kafka-clients 4.3 knows),
 * as Kafka 4.3.1 serves them (its AclApis, on the broker for DescribeAcls and on the controller for the other two);
 * {@code Admin.describeAcls}, {@code createAcls} and {@code deleteAcls}, and {@code kafka-acls.sh}, use them.
 *
 * <ul>
 *   <li>Authorization first, as Kafka's {@code authHelper.authorizeClusterOperation}: DescribeAcls needs DESCRIBE on
 *       the cluster, CreateAcls and DeleteAcls ALTER; without it DescribeAcls answers CLUSTER_AUTHORIZATION_FAILED,
 *       the others that error for every binding or filter.</li>
 *   <li>Then, without an authorizer ({@code authorizer.class.name} unset), SECURITY_DISABLED: "No Authorizer is
 *       configured on the broker" for DescribeAcls, "No Authorizer is configured." for every binding or filter of
 *       the others.</li>
 *   <li>DescribeAcls answers from this broker's metadata image, as Kafka's brokers do from their authorizer's copy:
 *       the bindings the request's filter matches ({@code AclBindingFilter.matches}), grouped by resource pattern
 *       (Kafka's {@code DescribeAclsResponse.aclsResources}), here in resource type, name and pattern type order
 *       (Kafka's order is a hash map's).</li>
 *   <li>CreateAcls refuses, per binding, a CLUSTER resource not named {@code kafka-cluster} and an empty resource
 *       name with INVALID_REQUEST and Kafka's messages; the controller ({@link AclAdmin}) decides the others with
 *       Kafka's rules. Results are in request order. A request holding a binding no {@link AclBinding} can be (a
 *       resource type ANY, a pattern type ANY or MATCH, an operation or permission ANY) fails as a whole with
 *       UNKNOWN_SERVER_ERROR, as Kafka's conversion of it throws.</li>
 *   <li>DeleteAcls goes to the controller, which deletes what each filter matches and reports it per filter.</li>
 *   <li>If the controller cannot be reached, or refuses the whole operation, every binding or filter it was asked
 *       about gets that error (Kafka's {@code getErrorResponse}); NOT_CONTROLLER makes the Java client retry.</li>
 * </ul>
 *
 * <p>Thread-safe: the handler holds no state. DescribeAcls is answered on the event loop (a read of one immutable
 * image); the others wait for the controller, so they run on the request pool.
 */
public final class AclsHandler {
    private static final Logger log = LoggerFactory.getLogger(AclsHandler.class);
    private static final VersionRange VERSIONS = VersionRange.of(1, 3);

    /** Kafka's messages (AclApis). */
    static final String NO_AUTHORIZER_ON_BROKER = "No Authorizer is configured on the broker";
    static final String NO_AUTHORIZER = "No Authorizer is configured.";
    static final String CLUSTER_NAME_ONLY = "The only valid name for the CLUSTER resource is "
            + Authorization.CLUSTER_NAME;
    static final String EMPTY_RESOURCE_NAME = "Invalid empty resource name";

    private static final Comparator<ResourcePattern> PATTERN_ORDER = Comparator
            .<ResourcePattern>comparingInt(p -> p.resourceType().ordinal())
            .thenComparing(ResourcePattern::name)
            .thenComparingInt(p -> p.patternType().ordinal());

    private final AclAdmin admin;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;
    private final Executor pool;

    /**
     * @param images        this broker's current metadata image
     * @param authorization the checks of the request's principal, and whether an authorizer is configured at all
     * @param pool          where creations and deletions wait for the controller
     */
    public AclsHandler(AclAdmin admin, Supplier<ClusterImage> images, Authorization authorization, Executor pool) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.images = Objects.requireNonNull(images, "images");
        this.authorization = Objects.requireNonNull(authorization, "authorization");
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    public ServedApi describeAcls() {
        return new ServedApi(ApiKeys.DESCRIBE_ACLS, VERSIONS, request ->
                CompletableFuture.completedFuture(new Response.Send(describe(request))));
    }

    public ServedApi createAcls() {
        return new ServedApi(ApiKeys.CREATE_ACLS, VERSIONS, request ->
                CompletableFuture.supplyAsync(() -> new Response.Send(create(request)), pool));
    }

    public ServedApi deleteAcls() {
        return new ServedApi(ApiKeys.DELETE_ACLS, VERSIONS, request ->
                CompletableFuture.supplyAsync(() -> new Response.Send(delete(request)), pool));
    }

    private ApiMessage describe(KafkaRequest request) {
        DescribeAclsRequest body = (DescribeAclsRequest) request.body();
        if (!authorization.cluster(request, AclOperation.DESCRIBE)) {
            return errorResponse(body, Authorization.clusterDenied(request, AclOperation.DESCRIBE));
        }
        if (!authorization.enabled()) {
            return new DescribeAclsResponseData().setErrorCode(Errors.SECURITY_DISABLED.code())
                    .setErrorMessage(NO_AUTHORIZER_ON_BROKER);
        }
        return new DescribeAclsResponseData().setResources(resources(images.get().acls().matching(body.filter())));
    }

    /** The bindings grouped by resource pattern, patterns in type, name and pattern type order. */
    static List<DescribeAclsResource> resources(List<AclBinding> bindings) {
        TreeMap<ResourcePattern, List<AccessControlEntry>> byPattern = new TreeMap<>(PATTERN_ORDER);
        for (AclBinding binding : bindings) {
            byPattern.computeIfAbsent(binding.pattern(), p -> new ArrayList<>()).add(binding.entry());
        }
        List<DescribeAclsResource> resources = new ArrayList<>(byPattern.size());
        byPattern.forEach((pattern, entries) -> resources.add(new DescribeAclsResource()
                .setResourceType(pattern.resourceType().code())
                .setResourceName(pattern.name())
                .setPatternType(pattern.patternType().code())
                .setAcls(entries.stream().map(e -> new AclDescription()
                        .setPrincipal(e.principal())
                        .setHost(e.host())
                        .setOperation(e.operation().code())
                        .setPermissionType(e.permissionType().code())).toList())));
        return resources;
    }

    private ApiMessage create(KafkaRequest request) {
        CreateAclsRequest body = (CreateAclsRequest) request.body();
        if (!authorization.cluster(request, AclOperation.ALTER)) {
            return errorResponse(body, Authorization.clusterDenied(request, AclOperation.ALTER));
        }
        if (!authorization.enabled()) {
            return errorResponse(body, new SecurityDisabledException(NO_AUTHORIZER));
        }
        List<AclBinding> bindings;
        try {
            bindings = body.aclCreations().stream().map(CreateAclsRequest::aclBinding).toList();
        } catch (IllegalArgumentException e) {
            // A client error (Kafka's clients never send one), answered without a stack trace in the log.
            log.debug("CreateAcls with an indefinite binding: {}", e.getMessage());
            return errorResponse(body, e);
        }
        // Kafka's broker-side checks (AclApis), then the controller's for the bindings that pass them.
        List<ApiError> results = new ArrayList<>(bindings.size());
        List<AclBinding> forwarded = new ArrayList<>();
        for (AclBinding binding : bindings) {
            ApiError refusal = checkCreation(binding.pattern());
            results.add(refusal);
            if (refusal == null) {
                forwarded.add(binding);
            }
        }
        List<ApiError> decided;
        try {
            decided = admin.createAcls(forwarded);
        } catch (RuntimeException e) {
            logUnexpected("CreateAcls", e);
            decided = forwarded.stream().map(b -> ApiError.fromThrowable(e)).toList();
        }
        CreateAclsResponseData response = new CreateAclsResponseData();
        int next = 0;
        for (ApiError result : results) {
            ApiError error = result != null ? result : decided.get(next++);
            AclCreationResult creation = new AclCreationResult();
            if (!error.isSuccess()) {
                creation.setErrorCode(error.error().code()).setErrorMessage(error.message());
            }
            response.results().add(creation);
        }
        return response;
    }

    /** Kafka's AclApis checks of a binding to create; null when it passes them. */
    private static ApiError checkCreation(ResourcePattern pattern) {
        if (pattern.resourceType() == ResourceType.CLUSTER && !pattern.name().equals(Authorization.CLUSTER_NAME)) {
            return ApiError.fromThrowable(new InvalidRequestException(CLUSTER_NAME_ONLY));
        }
        if (pattern.name().isEmpty()) {
            return ApiError.fromThrowable(new InvalidRequestException(EMPTY_RESOURCE_NAME));
        }
        return null;
    }

    private ApiMessage delete(KafkaRequest request) {
        DeleteAclsRequest body = (DeleteAclsRequest) request.body();
        if (!authorization.cluster(request, AclOperation.ALTER)) {
            return errorResponse(body, Authorization.clusterDenied(request, AclOperation.ALTER));
        }
        if (!authorization.enabled()) {
            return errorResponse(body, new SecurityDisabledException(NO_AUTHORIZER));
        }
        List<AclAdmin.FilterResult> results;
        try {
            results = admin.deleteAcls(body.filters());
        } catch (RuntimeException e) {
            return failed(body, e);
        }
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        for (AclAdmin.FilterResult result : results) {
            AclDeleteResult deleted = result.error().isSuccess()
                    ? new AclDeleteResult(result.deleted().stream().map(AclBindingDeleteResult::new).toList())
                    : new AclDeleteResult(result.error().exception());
            response.filterResults().add(DeleteAclsResponse.filterResult(deleted));
        }
        return response;
    }

    /** Every binding or filter of the request gets {@code e}'s error, as Kafka's broker answers a failed request. */
    private static ApiMessage failed(AbstractRequest request, RuntimeException e) {
        logUnexpected(request.apiKey().name, e);
        return errorResponse(request, e);
    }

    private static ApiMessage errorResponse(AbstractRequest request, Throwable e) {
        return request.getErrorResponse(0, e).data();
    }

    private static void logUnexpected(String api, RuntimeException e) {
        if (!(e instanceof ApiException)) {
            log.warn("{} failed unexpectedly", api, e);
        }
    }
}
