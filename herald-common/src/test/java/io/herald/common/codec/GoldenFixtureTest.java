package io.herald.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class GoldenFixtureTest {

    @Test
    void rendersSixteenBytesALineAndNullForAnAbsentSection() {
        byte[] key = new byte[17];
        key[16] = (byte) 0xff;
        GoldenFixture fixture = GoldenFixture.keyValue(key, null);

        assertThat(fixture.render()).isEqualTo("""
                [key]
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                ff
                [value]
                null
                """);
        assertThat(fixture.section("value")).isEmpty();
    }

    @Test
    void parseIgnoresCommentsBlankLinesAndSpacing() {
        GoldenFixture fixture = GoldenFixture.parse("""
                # a comment
                [entry]

                0001 02
                  ff
                """);

        assertThat(fixture.bytes("entry")).containsExactly(0, 1, 2, 0xff);
    }

    @Test
    void anEmptySectionIsPresentAndEmpty() {
        GoldenFixture fixture = GoldenFixture.parse("[entry]\n");

        assertThat(fixture.bytes("entry")).isEmpty();
        assertThat(GoldenFixture.parse(fixture.render())).isEqualTo(fixture);
    }

    @Test
    void rejectsHexErrorsAndUnknownSections() {
        assertThatThrownBy(() -> GoldenFixture.parse("[entry]\n0g\n")).hasMessageContaining("not hex");
        assertThatThrownBy(() -> GoldenFixture.parse("00\n")).hasMessageContaining("before the first");
        assertThatThrownBy(() -> GoldenFixture.entry(new byte[0]).section("key")).hasMessageContaining("no section");
    }

    @Property(tries = 200)
    void parseReadsWhatRenderWrote(@ForAll byte[] key, @ForAll byte[] value) {
        GoldenFixture fixture = GoldenFixture.keyValue(key, value);

        GoldenFixture parsed = GoldenFixture.parse("# header\n" + fixture.render());

        assertThat(parsed).isEqualTo(fixture);
        assertThat(parsed.bytes("key")).isEqualTo(key);
    }
}
