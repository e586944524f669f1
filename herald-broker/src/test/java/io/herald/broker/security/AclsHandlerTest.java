package io.herald.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.api.AclAdmin;
import io.herald.metadata.authz.AclAuthorizer;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/**
 * The ACL APIs' broker side as Kafka 4.3.1's AclApis: authorization before everything, SECURITY_DISABLED without an
 * authorizer, the broker's own checks of a creation, the controller's results merged back in request order, and the
 * responses of requests Kafka's clients never send (codes Kafka does not know, indefinite bindings).
 */
class AclsHandlerTest {
    private static final KafkaPrincipal ADMIN = new KafkaPrincipal("User", "admin");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
    private static final short VERSION = 3;

    private static final AclBinding READ_ORDERS = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
            new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
    private static final AclBinding WRITE_LOGS = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "logs-", PatternType.PREFIXED),
            new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    private static final AclBinding DESCRIBE_ORDERS = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
            new AccessControlEntry("User:bob", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW));

    /** Records what the controller is asked and answers with canned results. */
    private static final class FakeAdmin implements AclAdmin {
        final List<List<AclBinding>> created = new ArrayList<>();
        List<ApiError> creationResults;
        RuntimeException failure;

        @Override
        public List<ApiError> createAcls(List<AclBinding> bindings) {
            created.add(bindings);
            if (failure != null) {
                throw failure;
            }
            return creationResults != null ? creationResults : bindings.stream().map(b -> ApiError.NONE).toList();
        }

        @Override
        public List<FilterResult> deleteAcls(List<AclBindingFilter> filters) {
            if (failure != null) {
                throw failure;
            }
            return filters.stream().map(f -> new FilterResult(ApiError.NONE, List.of(READ_ORDERS))).toList();
        }
    }

    private final FakeAdmin admin = new FakeAdmin();
    private final ClusterImage image = ClusterImage.EMPTY
            .apply(new AccessControlEntryRecord(new Uuid(1, 1), READ_ORDERS))
            .apply(new AccessControlEntryRecord(new Uuid(2, 2), WRITE_LOGS))
            .apply(new AccessControlEntryRecord(new Uuid(3, 3), DESCRIBE_ORDERS));

    /** Only {@link #ADMIN} may (a super user), no binding grants anything on the cluster. */
    private AclsHandler secured() {
        return new AclsHandler(admin, () -> image, new Authorization(new AclAuthorizer(image::aclIndex,
                Set.of(ADMIN), false)), Runnable::run);
    }

    private AclsHandler unsecured() {
        return new AclsHandler(admin, () -> image, Authorization.ALLOW_ALL, Runnable::run);
    }

    private static ApiMessage call(ServedApi api, KafkaPrincipal principal, AbstractRequest body) throws Exception {
        KafkaRequest request = new KafkaRequest(new RequestHeader(body.apiKey(), body.version(), "client", 1), body,
                100, new InetSocketAddress("127.0.0.1", 40000), System.nanoTime(),
                new ConnectionContext("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT, principal));
        return ((Response.Send) api.handler().handle(request).get(10, TimeUnit.SECONDS)).data();
    }

    private static CreateAclsRequest createRequest(AclCreation... creations) {
        return new CreateAclsRequest.Builder(new CreateAclsRequestData().setCreations(List.of(creations)))
                .build(VERSION);
    }

    private static DescribeAclsRequest describeAll() {
        return new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build(VERSION);
    }

    private static DeleteAclsRequest deleteAll() {
        return new DeleteAclsRequest.Builder(new DeleteAclsRequestData().setFilters(List.of(
                DeleteAclsRequest.deleteAclsFilter(AclBindingFilter.ANY)))).build(VERSION);
    }

    @Test
    void withoutClusterPermissionEveryApiIsClusterAuthorizationFailed() throws Exception {
        AclsHandler handler = secured();

        DescribeAclsResponseData described = (DescribeAclsResponseData) call(handler.describeAcls(), BOB,
                describeAll());
        assertThat(described.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(described.errorMessage()).contains("needs DESCRIBE permission.");
        assertThat(described.resources()).isEmpty();

        CreateAclsResponseData created = (CreateAclsResponseData) call(handler.createAcls(), BOB, createRequest(
                CreateAclsRequest.aclCreation(READ_ORDERS), CreateAclsRequest.aclCreation(WRITE_LOGS)));
        assertThat(created.results()).hasSize(2).allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
            assertThat(r.errorMessage()).startsWith("Request Request(apiKey=CREATE_ACLS, version=3, "
                    + "principal=User:bob").endsWith("needs ALTER permission.");
        });

        DeleteAclsResponseData deleted = (DeleteAclsResponseData) call(handler.deleteAcls(), BOB, deleteAll());
        assertThat(deleted.filterResults()).singleElement().satisfies(r ->
                assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        assertThat(admin.created).isEmpty();
    }

    @Test
    void withoutAnAuthorizerEveryApiIsSecurityDisabledWithKafkasMessages() throws Exception {
        AclsHandler handler = unsecured();

        DescribeAclsResponseData described = (DescribeAclsResponseData) call(handler.describeAcls(), BOB,
                describeAll());
        assertThat(described.errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
        assertThat(described.errorMessage()).isEqualTo("No Authorizer is configured on the broker");

        CreateAclsResponseData created = (CreateAclsResponseData) call(handler.createAcls(), BOB,
                createRequest(CreateAclsRequest.aclCreation(READ_ORDERS)));
        assertThat(created.results()).singleElement().satisfies(r -> {
            assertThat(r.errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
            assertThat(r.errorMessage()).isEqualTo("No Authorizer is configured.");
        });
        DeleteAclsResponseData deleted = (DeleteAclsResponseData) call(handler.deleteAcls(), BOB, deleteAll());
        assertThat(deleted.filterResults()).singleElement().satisfies(r -> {
            assertThat(r.errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
            assertThat(r.errorMessage()).isEqualTo("No Authorizer is configured.");
        });
        assertThat(admin.created).isEmpty();
    }

    @Test
    void describeGroupsTheMatchingBindingsByResourcePattern() throws Exception {
        DescribeAclsRequest orders = new DescribeAclsRequest.Builder(new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, "orders", PatternType.ANY),
                AccessControlEntryFilter.ANY)).build(VERSION);

        DescribeAclsResponseData described = (DescribeAclsResponseData) call(secured().describeAcls(), ADMIN, orders);

        assertThat(described.errorCode()).isZero();
        assertThat(described.resources()).singleElement().satisfies(resource -> {
            assertThat(resource.resourceName()).isEqualTo("orders");
            assertThat(resource.patternType()).isEqualTo(PatternType.LITERAL.code());
            assertThat(resource.acls()).extracting(a -> a.principal()).containsExactly("User:alice", "User:bob");
        });
        DescribeAclsResponseData all = (DescribeAclsResponseData) call(secured().describeAcls(), ADMIN,
                describeAll());
        assertThat(all.resources()).extracting(r -> r.resourceName()).containsExactly("logs-", "orders");
    }

    @Test
    void theBrokersOwnChecksRefuseBeforeTheControllerAndResultsStayInRequestOrder() throws Exception {
        admin.creationResults = List.of(ApiError.NONE, new ApiError(Errors.INVALID_REQUEST, "Invalid operation "
                + "UNKNOWN"));
        AclCreation badCluster = CreateAclsRequest.aclCreation(new AclBinding(
                new ResourcePattern(ResourceType.CLUSTER, "my-cluster", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.ALTER, AclPermissionType.ALLOW)));
        AclCreation emptyName = CreateAclsRequest.aclCreation(new AclBinding(
                new ResourcePattern(ResourceType.GROUP, "", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)));
        // An operation code Kafka does not know reads as UNKNOWN, for the controller to refuse.
        AclCreation unknownOperation = CreateAclsRequest.aclCreation(WRITE_LOGS).setOperation((byte) 99);

        CreateAclsResponseData created = (CreateAclsResponseData) call(secured().createAcls(), ADMIN, createRequest(
                badCluster, CreateAclsRequest.aclCreation(READ_ORDERS), emptyName, unknownOperation));

        assertThat(created.results()).containsExactly(
                new AclCreationResult().setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("The only valid name for the CLUSTER resource is kafka-cluster"),
                new AclCreationResult(),
                new AclCreationResult().setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Invalid empty resource name"),
                new AclCreationResult().setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Invalid operation UNKNOWN"));
        assertThat(admin.created).singleElement().satisfies(forwarded -> {
            assertThat(forwarded).hasSize(2);
            assertThat(forwarded.get(0)).isEqualTo(READ_ORDERS);
            assertThat(forwarded.get(1).entry().operation()).isEqualTo(AclOperation.UNKNOWN);
        });
    }

    @Test
    void anIndefiniteBindingFailsTheWholeCreationAsKafkasConversionOfItThrows() throws Exception {
        AclCreation anyResource = CreateAclsRequest.aclCreation(READ_ORDERS)
                .setResourceType(ResourceType.ANY.code());

        CreateAclsResponseData created = (CreateAclsResponseData) call(secured().createAcls(), ADMIN,
                createRequest(CreateAclsRequest.aclCreation(WRITE_LOGS), anyResource));

        assertThat(created.results()).hasSize(2).allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
            assertThat(r.errorMessage()).isNull();
        });
        assertThat(admin.created).isEmpty();
    }

    @Test
    void aControllerFailureIsTheErrorOfEveryBindingOrFilterItWasAskedAbout() throws Exception {
        admin.failure = new NotControllerException("no controller");
        AclCreation emptyName = CreateAclsRequest.aclCreation(new AclBinding(
                new ResourcePattern(ResourceType.GROUP, "", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)));

        CreateAclsResponseData created = (CreateAclsResponseData) call(secured().createAcls(), ADMIN,
                createRequest(CreateAclsRequest.aclCreation(READ_ORDERS), emptyName));
        DeleteAclsResponseData deleted = (DeleteAclsResponseData) call(secured().deleteAcls(), ADMIN, deleteAll());

        assertThat(created.results()).extracting(AclCreationResult::errorCode).containsExactly(
                Errors.NOT_CONTROLLER.code(), Errors.INVALID_REQUEST.code());
        assertThat(deleted.filterResults()).singleElement().satisfies(r ->
                assertThat(r.errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code()));
    }

    @Test
    void deleteReportsTheBindingsEachFilterDeleted() throws Exception {
        DeleteAclsRequest request = new DeleteAclsRequest.Builder(new DeleteAclsRequestData().setFilters(List.of(
                DeleteAclsRequest.deleteAclsFilter(AclBindingFilter.ANY),
                new DeleteAclsFilter().setResourceTypeFilter(ResourceType.TOPIC.code())
                        .setPatternTypeFilter(PatternType.LITERAL.code()).setOperation(AclOperation.ANY.code())
                        .setPermissionType(AclPermissionType.ANY.code())))).build(VERSION);

        DeleteAclsResponseData deleted = (DeleteAclsResponseData) call(secured().deleteAcls(), ADMIN, request);

        assertThat(deleted.filterResults()).hasSize(2).allSatisfy(r -> {
            assertThat(r.errorCode()).isZero();
            assertThat(r.matchingAcls()).singleElement().satisfies(m -> {
                assertThat(m.resourceName()).isEqualTo("orders");
                assertThat(m.principal()).isEqualTo("User:alice");
                assertThat(m.operation()).isEqualTo(AclOperation.READ.code());
            });
        });
    }
}
