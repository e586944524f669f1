package io.herald.cli.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void alignsColumnsTwoSpacesApartWithoutTrailingBlanks() {
        StringWriter out = new StringWriter();
        new Table("TOPIC", "PARTITION", "LAG").row("orders", 0, 12).row("a", 10, "-").print(new PrintWriter(out, true));
        assertThat(out.toString()).isEqualTo("""
                TOPIC   PARTITION  LAG
                orders  0          12
                a       10         -
                """);
    }

    @Test
    void refusesRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("A", "B").row(1)).hasMessageContaining("expected 2");
    }
}
