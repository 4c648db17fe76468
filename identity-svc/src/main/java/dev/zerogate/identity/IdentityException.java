package dev.zerogate.identity;

/**
 * A refusal from identity-svc's logic, with a kind that each adapter maps to its protocol's
 * status in one place, and a message that is safe to show the caller.
 */
public final class IdentityException extends RuntimeException {

    public enum Kind { INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, RESOURCE_EXHAUSTED }

    private final Kind kind;

    public IdentityException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
