package io.herald.protocol.security.oauthbearer;

import io.herald.protocol.security.oauthbearer.TokenValidator.InvalidToken;
import java.util.List;

/** The scope check of both validators: the token's scope claim holds every required scope. */
final class Scopes {
    private Scopes() {
    }

    static void require(Jwt jwt, String scopeClaim, List<String> required) throws InvalidToken {
        if (required.isEmpty()) {
            return;
        }
        List<String> granted = jwt.strings(scopeClaim);
        if (!granted.containsAll(required)) {
            throw InvalidToken.insufficientScope(String.join(" ", required), "the token's '" + scopeClaim
                    + "' claim " + granted + " lacks some of the required scope " + required);
        }
    }
}
