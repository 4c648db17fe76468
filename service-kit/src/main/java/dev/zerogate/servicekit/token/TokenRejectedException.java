package dev.zerogate.servicekit.token;

/**
 * A token that does not verify, with the reason. The message is safe to log and to return
 * to the caller: it never contains the token.
 */
public final class TokenRejectedException extends Exception {

    /** Why a token was refused; also a metric label. */
    public enum Reason {
        /** Not a compact JWS, or its header or claims are not valid JSON of the right shape. */
        MALFORMED,
        /** The header's {@code typ} is not the expected one (an ID token, a grant, ...). */
        WRONG_TYPE,
        /** The header's {@code alg} is not one we accept ({@code none}, HMAC, RSA, ...). */
        UNSUPPORTED_ALGORITHM,
        /** No {@code kid}, or one that the key set does not hold (rotated out, or forged). */
        UNKNOWN_KEY,
        /** The signature does not verify with the named key (tampered, or another signer). */
        BAD_SIGNATURE,
        EXPIRED,
        NOT_YET_VALID,
        WRONG_ISSUER,
        WRONG_AUDIENCE,
        /** A required claim is missing. */
        MISSING_CLAIM,
        /** The token is bound to a device key ({@code cnf.jkt}) and the caller presented no key. */
        KEY_BINDING_MISSING,
        /** The token is bound to another device key than the one the caller presented. */
        KEY_BINDING_MISMATCH
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
