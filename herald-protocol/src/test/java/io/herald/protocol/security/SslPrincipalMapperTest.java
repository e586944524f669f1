package io.herald.protocol.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SslPrincipalMapperTest {

    @Test
    void rulesApplyInOrderWithBackReferencesAndCaseChanges() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse(
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L,\n"
                        + "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U, DEFAULT");

        assertThat(mapper.map("CN=kafka-server,OU=ServiceUsers,O=Org")).contains("kafka-server");
        assertThat(mapper.map("CN=Duke,OU=JavaSoft,O=Sun")).contains("duke@javasoft");
        assertThat(mapper.map("OU=x,cn=duke.two,O=y,L=z")).contains("DUKE.TWO");
        assertThat(mapper.map("OU=nothing")).contains("OU=nothing");
    }

    @Test
    void withoutDefaultANameNoRuleMatchesHasNoPrincipal() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse("RULE:^CN=(.*)$/$1/");
        assertThat(mapper.map("CN=a")).contains("a");
        assertThat(mapper.map("OU=b")).isEmpty();
        assertThat(SslPrincipalMapper.parse("").map("CN=a,O=b")).contains("CN=a,O=b");
    }

    @Test
    void aRuleListThatDoesNotParseIsRefused() {
        for (String bad : new String[] {"RULE:^CN=(.*)$/$1", "DEFAULTS", "RULE:[/x/", "RULE:^CN=(.*$/$1/"}) {
            assertThatThrownBy(() -> SslPrincipalMapper.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
