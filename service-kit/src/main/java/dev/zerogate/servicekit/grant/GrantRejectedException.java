package dev.zerogate.servicekit.grant;

/**
 * An access grant that does not verify, or does not cover the flow it is presented for, with
 * the reason. The message is safe to log and to return to the client: it never contains the
 * grant, and claim values only where they are the client's own request.
 */
public final class GrantRejectedException extends Exception {

    /** Why a grant was refused; also a metric label. */
    public enum Reason {
        /** Not a compact JWS, longer than 4096 bytes, or its header or claims are not JSON of the right shape. */
        MALFORMED,
        /** Header {@code typ} is not {@code zg-grant+jwt} (an access token, an ID token, ...). */
        WRONG_TYPE,
        /** Header {@code alg} is not ES256 ({@code none}, HMAC, RSA, ...); refused before any key is used. */
        UNSUPPORTED_ALGORITHM,
        /** No {@code kid}, or one the key set does not hold (rotated out, or forged). */
        UNKNOWN_KEY,
        /** The signature does not verify with the named key (tampered, or another signer). */
        BAD_SIGNATURE,
        /** {@code iss} is not policy-svc's. */
        WRONG_ISSUER,
        /** {@code aud} does not name this kind of enforcement point. */
        WRONG_AUDIENCE,
        /** {@code exp} has passed (beyond the clock skew). */
        EXPIRED,
        /** {@code iat} (or {@code nbf}) lies in the future beyond the clock skew. */
        NOT_YET_VALID,
        /** {@code exp - iat} is longer than the 5 minutes a grant may live (plus skew). */
        LIFETIME_TOO_LONG,
        /** A required claim is absent. */
        MISSING_CLAIM,
        /** A claim has the wrong type or an impossible value (unknown protocol, port out of range, ...). */
        INVALID_CLAIM,
        /** The flow goes elsewhere than the grant's {@code zg_dst}. */
        DESTINATION_MISMATCH,
        /** The flow's protocol is not the grant's {@code zg_proto}. */
        PROTOCOL_MISMATCH,
        /** The flow's port is not the grant's {@code zg_port}. */
        PORT_MISMATCH,
        /** The flow's TLS session proved no key, but every grant is bound to one ({@code cnf.jkt}). */
        KEY_BINDING_MISSING,
        /** The flow's TLS session proved another key than the one the grant is bound to. */
        KEY_BINDING_MISMATCH
    }

    private final Reason reason;

    public GrantRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
