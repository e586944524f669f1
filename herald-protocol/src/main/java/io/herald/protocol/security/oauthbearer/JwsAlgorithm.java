package io.herald.protocol.security.oauthbearer;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/** The JWS signature algorithms (RFC 7518) a signed token may use; {@code none} and HMAC are not among them. */
enum JwsAlgorithm {
    RS256("RSA", "SHA256withRSA", null), RS384("RSA", "SHA384withRSA", null), RS512("RSA", "SHA512withRSA", null),
    PS256("RSA", "RSASSA-PSS", pss("SHA-256", MGF1ParameterSpec.SHA256, 32)),
    PS384("RSA", "RSASSA-PSS", pss("SHA-384", MGF1ParameterSpec.SHA384, 48)),
    PS512("RSA", "RSASSA-PSS", pss("SHA-512", MGF1ParameterSpec.SHA512, 64)),
    ES256("EC", "SHA256withECDSAinP1363Format", null), ES384("EC", "SHA384withECDSAinP1363Format", null),
    ES512("EC", "SHA512withECDSAinP1363Format", null);

    private final String keyType;
    private final String jdkName;
    private final PSSParameterSpec parameters;

    JwsAlgorithm(String keyType, String jdkName, PSSParameterSpec parameters) {
        this.keyType = keyType;
        this.jdkName = jdkName;
        this.parameters = parameters;
    }

    private static PSSParameterSpec pss(String digest, MGF1ParameterSpec mgf, int saltLength) {
        return new PSSParameterSpec(digest, "MGF1", mgf, saltLength, 1);
    }

    static Optional<JwsAlgorithm> named(String name) {
        return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst();
    }

    /** The JWK {@code kty} of its keys. */
    String keyType() {
        return keyType;
    }

    /** Whether {@code signature} over {@code input} verifies with {@code key}; false for a key of another type. */
    boolean verifies(PublicKey key, byte[] input, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(jdkName);
            if (parameters != null) {
                verifier.setParameter(parameters);
            }
            verifier.initVerify(key);
            verifier.update(input);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
