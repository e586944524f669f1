package io.herald.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md, checked on the main classes of every module on this module's class path:
 * dependencies point one way, herald-common ← {storage, protocol, metadata, coordinator runtime} ← the
 * coordinators ← broker ← {http, server}, and only the server knows http. A rule that fails names the class and the dependency that breaks it.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald");
    }

    @Test
    void commonDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("io.herald.common..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.storage..", "io.herald.protocol..",
                        "io.herald.metadata..", "io.herald.coordinator..", "io.herald.group..",
                        "io.herald.transaction..", "io.herald.share..", "io.herald.broker..", "io.herald.server..")
                .check(classes);
    }

    @Test
    void storageKnowsNeitherTheNetworkNorKafkaRequests() {
        noClasses().that().resideInAPackage("io.herald.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.common.requests..",
                        "org.apache.kafka.common.message..", "io.netty..", "io.herald.protocol..",
                        "io.herald.metadata..", "io.herald.coordinator..", "io.herald.group..",
                        "io.herald.transaction..", "io.herald.share..", "io.herald.broker..", "io.herald.server..")
                .check(classes);
    }

    @Test
    void protocolKnowsNoBrokerState() {
        noClasses().that().resideInAPackage("io.herald.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.storage..", "io.herald.metadata..",
                        "io.herald.coordinator..", "io.herald.group..", "io.herald.transaction..", "io.herald.share..",
                        "io.herald.broker..", "io.herald.server..")
                .check(classes);
    }

    @Test
    void metadataKnowsNoRequestHandling() {
        noClasses().that().resideInAPackage("io.herald.metadata..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.storage..", "io.herald.protocol..",
                        "io.herald.coordinator..", "io.herald.group..", "io.herald.transaction..", "io.herald.share..",
                        "io.herald.broker..", "io.herald.server..")
                .check(classes);
    }

    @Test
    void coordinatorsDoNotKnowTheBroker() {
        noClasses().that().resideInAnyPackage("io.herald.coordinator..", "io.herald.group..",
                        "io.herald.transaction..", "io.herald.share..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.storage..", "io.herald.protocol..",
                        "io.herald.metadata..", "io.herald.broker..", "io.herald.server..")
                .check(classes);
    }

    @Test
    void theCoordinatorRuntimeKnowsNoCoordinator() {
        noClasses().that().resideInAPackage("io.herald.coordinator..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.group..", "io.herald.transaction..", "io.herald.share..")
                .check(classes);
    }

    @Test
    void theCoordinatorsDoNotKnowEachOther() {
        List<String> coordinators = List.of("io.herald.group..", "io.herald.transaction..", "io.herald.share..");
        for (String coordinator : coordinators) {
            noClasses().that().resideInAPackage(coordinator)
                    .should().dependOnClassesThat().resideInAnyPackage(coordinators.stream()
                            .filter(other -> !other.equals(coordinator)).toArray(String[]::new))
                    .check(classes);
        }
    }

    @Test
    void onlyTheServerKnowsTheHttpLayer() {
        noClasses().that().resideOutsideOfPackages("io.herald.http..", "io.herald.server..")
                .should().dependOnClassesThat().resideInAPackage("io.herald.http..")
                .check(classes);
    }

    @Test
    void theHttpLayerSeesNoStorageProtocolOrCoordinatorInternals() {
        noClasses().that().resideInAPackage("io.herald.http..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.storage..", "io.herald.protocol..",
                        "io.herald.coordinator..", "io.herald.group..", "io.herald.transaction..", "io.herald.share..",
                        "io.herald.server..")
                .check(classes);
    }

    @Test
    void nothingDependsOnTheServer() {
        noClasses().that().resideOutsideOfPackage("io.herald.server..")
                .should().dependOnClassesThat().resideInAPackage("io.herald.server..")
                .check(classes);
    }
}
