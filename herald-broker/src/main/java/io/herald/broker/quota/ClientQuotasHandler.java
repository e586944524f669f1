package io.herald.broker.quota;

import io.herald.broker.security.Authorization;
import io.herald.metadata.api.QuotaAdmin;
import io.herald.metadata.image.ClientQuotas.QuotaFilter;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.QuotaEntity;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntityData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.ValueData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeClientQuotas (API 48) and AlterClientQuotas (API 49), versions 0 and 1 as Kafka 4.3.1 serves them;
 * {@code Admin.describeClientQuotas} / {@code alterClientQuotas} and {@code kafka-configs.sh --entity-type users
 * --entity-type clients} use them.
 *
 * <ul>
 *   <li>Describe answers from this broker's metadata image with Kafka's filter rules
 *       ({@link io.herald.metadata.image.ClientQuotas#describe}); a refused filter is the answer's error, with
 *       Kafka's message. Entities come in entity order, each with its quotas in key order.</li>
 *   <li>Alter goes to the controller ({@link QuotaAdmin}), which decides per entity with Kafka's rules and applies the
 *       accepted changes in one metadata log entry; {@code validate_only} decides without applying. An entity that
 *       names a type twice keeps the last name, as Kafka's request parsing does. If the controller cannot be reached,
 *       every entity gets that error.</li>
 *   <li>Authorization as Kafka's: describe needs DESCRIBE_CONFIGS on the cluster, else the answer's error is
 *       CLUSTER_AUTHORIZATION_FAILED; alter needs ALTER_CONFIGS, else every entity gets CLUSTER_AUTHORIZATION_FAILED
 *       with Kafka's "Request ... needs ALTER_CONFIGS permission.".</li>
 * </ul>
 *
 * <p>Thread-safe: no state. Describe runs on the event loop (a read of one immutable image); alter waits for the
 * controller, so it runs on the request pool.
 */
public final class ClientQuotasHandler {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotasHandler.class);

    private final QuotaAdmin admin;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;
    private final Executor pool;

    /**
     * @param images        this broker's current metadata image
     * @param authorization the checks of the request's principal
     * @param pool          where alterations wait for the controller
     */
    public ClientQuotasHandler(QuotaAdmin admin, Supplier<ClusterImage> images, Authorization authorization,
                               Executor pool) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.images = Objects.requireNonNull(images, "images");
        this.authorization = Objects.requireNonNull(authorization, "authorization");
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    public ServedApi describeClientQuotas() {
        return new ServedApi(ApiKeys.DESCRIBE_CLIENT_QUOTAS, VersionRange.of(0, 1), request -> {
            DescribeClientQuotasRequest body = (DescribeClientQuotasRequest) request.body();
            return CompletableFuture.completedFuture(new Response.Send(
                    authorization.cluster(request, AclOperation.DESCRIBE_CONFIGS) ? describe(body.data(), images.get())
                            : body.getErrorResponse(0, Errors.CLUSTER_AUTHORIZATION_FAILED.exception()).data()));
        });
    }

    public ServedApi alterClientQuotas() {
        return new ServedApi(ApiKeys.ALTER_CLIENT_QUOTAS, VersionRange.of(0, 1), request -> {
            AlterClientQuotasRequest body = (AlterClientQuotasRequest) request.body();
            if (!authorization.cluster(request, AclOperation.ALTER_CONFIGS)) {
                return CompletableFuture.completedFuture(new Response.Send(body.getErrorResponse(0,
                        Authorization.clusterDenied(request, AclOperation.ALTER_CONFIGS)).data()));
            }
            return CompletableFuture.supplyAsync(() -> new Response.Send(alter(body)), pool);
        });
    }

    /** Kafka's ClientQuotasImage.describe over {@code image}; a refused filter is the answer's error. */
    static DescribeClientQuotasResponseData describe(DescribeClientQuotasRequestData request, ClusterImage image) {
        List<QuotaFilter> filter = request.components().stream().map(c -> new QuotaFilter(c.entityType(),
                c.matchType(), Optional.ofNullable(c.match()))).toList();
        SortedMap<QuotaEntity, SortedMap<String, Double>> matches;
        try {
            matches = image.clientQuotas().describe(filter, request.strict());
        } catch (ApiException e) {
            ApiError error = ApiError.fromThrowable(e);
            return new DescribeClientQuotasResponseData().setErrorCode(error.error().code())
                    .setErrorMessage(error.message()).setEntries(null);
        }
        List<EntryData> entries = new ArrayList<>();
        matches.forEach((entity, quotas) -> {
            List<EntityData> parts = new ArrayList<>();
            entity.parts().forEach((type, name) -> parts.add(new EntityData().setEntityType(type)
                    .setEntityName(name.orElse(null))));
            List<ValueData> values = new ArrayList<>();
            quotas.forEach((key, value) -> values.add(new ValueData().setKey(key).setValue(value)));
            entries.add(new EntryData().setEntity(parts).setValues(values));
        });
        return new DescribeClientQuotasResponseData().setEntries(entries);
    }

    private AlterClientQuotasResponseData alter(AlterClientQuotasRequest request) {
        AlterClientQuotasRequestData data = request.data();
        List<QuotaAdmin.Alteration> alterations = new ArrayList<>();
        for (AlterClientQuotasRequestData.EntryData entry : data.entries()) {
            Map<String, Optional<String>> parts = new LinkedHashMap<>();
            entry.entity().forEach(e -> parts.put(e.entityType(), Optional.ofNullable(e.entityName())));
            List<QuotaAdmin.Op> ops = entry.ops().stream().map(op -> new QuotaAdmin.Op(op.key(),
                    op.remove() ? OptionalDouble.empty() : OptionalDouble.of(op.value()))).toList();
            alterations.add(new QuotaAdmin.Alteration(QuotaEntity.of(parts), ops));
        }
        Map<QuotaEntity, ApiError> results;
        try {
            results = admin.alterClientQuotas(alterations, data.validateOnly());
        } catch (RuntimeException e) {
            if (!(e instanceof ApiException)) {
                log.warn("AlterClientQuotas failed unexpectedly", e);
            }
            return ((AlterClientQuotasResponse) request.getErrorResponse(0, e)).data();
        }
        AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
        results.forEach((entity, error) -> {
            List<AlterClientQuotasResponseData.EntityData> parts = new ArrayList<>();
            entity.parts().forEach((type, name) -> parts.add(new AlterClientQuotasResponseData.EntityData()
                    .setEntityType(type).setEntityName(name.orElse(null))));
            response.entries().add(new AlterClientQuotasResponseData.EntryData().setErrorCode(error.error().code())
                    .setErrorMessage(error.isSuccess() ? null : error.message()).setEntity(parts));
        });
        return response;
    }
}
