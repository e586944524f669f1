/**
 * SASL/OAUTHBEARER (RFC 7628) as Kafka's broker serves it: the client's initial response carries a bearer token
 * (a JWT); a {@link io.herald.protocol.security.oauthbearer.TokenValidator} decides who it names and until when.
 * Kafka's two validators are here: {@link io.herald.protocol.security.oauthbearer.UnsecuredJwtValidator} (unsigned
 * tokens, Kafka's default, for development) and {@link io.herald.protocol.security.oauthbearer.JwksValidator}
 * (signed tokens checked against the keys of a JWKS document, Kafka's {@code OAuthBearerValidatorCallbackHandler}).
 * The token's expiry bounds the SASL session, so clients re-authenticate before it (KIP-368).
 */
package io.herald.protocol.security.oauthbearer;
