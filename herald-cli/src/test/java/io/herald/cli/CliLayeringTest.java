package io.herald.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's rule for herald-cli: it talks to a cluster only through kafka-clients, so it works against any
 * Kafka-protocol broker. Its one link to Herald itself is {@code herald start}, which hands over to
 * {@code io.herald.server.HeraldMain}; no other Herald class (broker internals, their header constants included)
 * is used anywhere.
 */
class CliLayeringTest {

    private static final JavaClasses CLI = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.herald.cli");

    @Test
    void noCommandKnowsHeraldsInternals() {
        noClasses().that().resideInAPackage("io.herald.cli..").and().doNotHaveSimpleName("StartCommand")
                .should().dependOnClassesThat(resideInAPackage("io.herald..")
                        .and(not(resideInAPackage("io.herald.cli.."))))
                .check(CLI);
    }

    @Test
    void startKnowsOnlyTheServersMain() {
        noClasses().that().haveSimpleName("StartCommand")
                .should().dependOnClassesThat(resideInAPackage("io.herald..")
                        .and(not(resideInAPackage("io.herald.cli..")))
                        .and(not(name("io.herald.server.HeraldMain"))))
                .check(CLI);
    }
}
