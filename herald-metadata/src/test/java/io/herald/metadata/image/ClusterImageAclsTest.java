package io.herald.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The fold of access control entry records, checked against a reference model: a map from id to binding. */
class ClusterImageAclsTest {
    private static final Uuid A = new Uuid(1, 1);
    private static final Uuid B = new Uuid(0, 2);
    private static final Uuid C = new Uuid(3, 0);

    private static AclBinding read(String topic, String principal) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
    }

    @Test
    void recordsAddReplaceAndRemoveBindingsByIdAsAMapWould() {
        TreeMap<Uuid, AclBinding> model = new TreeMap<>();
        ClusterImage image = ClusterImage.EMPTY;

        image = image.apply(new AccessControlEntryRecord(A, read("t", "User:a")));
        model.put(A, read("t", "User:a"));
        image = image.apply(new AccessControlEntryRecord(B, read("u", "User:b")));
        model.put(B, read("u", "User:b"));
        image = image.apply(new AccessControlEntryRecord(A, read("v", "User:a")));
        model.put(A, read("v", "User:a"));
        image = image.apply(new RemoveAccessControlEntryRecord(C)); // unknown: no change
        image = image.apply(new AccessControlEntryRecord(C, read("w", "User:c")));
        model.put(C, read("w", "User:c"));
        image = image.apply(new RemoveAccessControlEntryRecord(B));
        model.remove(B);

        assertThat(image.acls().byId()).isEqualTo(model);
        assertThat(List.copyOf(image.acls().byId().keySet())).containsExactlyElementsOf(model.keySet());
        assertThat(image.acls().contains(read("t", "User:a"))).isFalse(); // replaced
        assertThat(image.acls().id(read("v", "User:a"))).contains(A);
        assertThat(image.acls().id(read("u", "User:b"))).isEmpty();
    }

    @Test
    void removingAnUnknownIdKeepsTheSameAcls() {
        ClusterImage image = ClusterImage.EMPTY.apply(new AccessControlEntryRecord(A, read("t", "User:a")));

        assertThat(image.apply(new RemoveAccessControlEntryRecord(B)).acls()).isSameAs(image.acls());
    }

    @Test
    void aRecordOfAnotherKindKeepsTheAclsAndTheirIndex() {
        ClusterImage image = ClusterImage.EMPTY.apply(new AccessControlEntryRecord(A, read("t", "User:a")));
        var index = image.aclIndex();

        ClusterImage next = image.apply(new ConfigRecord(ResourceKind.BROKER, "", "x", Optional.of("1")));

        assertThat(next.acls()).isSameAs(image.acls());
        assertThat(next.aclIndex()).isSameAs(index);
        assertThat(ClusterImage.EMPTY.aclIndex()).isSameAs(io.herald.metadata.authz.AclAuthorizer.AclIndex.EMPTY);
    }

    @Test
    void matchingFiltersAsKafkasAclBindingFilterDoes() {
        ClusterImage image = ClusterImage.EMPTY
                .apply(new AccessControlEntryRecord(B, read("t", "User:b")))
                .apply(new AccessControlEntryRecord(A, read("t", "User:a")))
                .apply(new AccessControlEntryRecord(C, read("u", "User:a")));

        AclBindingFilter topicT = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, "t",
                PatternType.ANY), AccessControlEntryFilter.ANY);
        assertThat(image.acls().matching(topicT)).containsExactly(read("t", "User:b"), read("t", "User:a"));
        assertThat(image.acls().matching(AclBindingFilter.ANY)).hasSize(3);
    }
}
