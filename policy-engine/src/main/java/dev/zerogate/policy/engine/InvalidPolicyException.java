package dev.zerogate.policy.engine;

/**
 * A policy value that cannot be accepted, with a message a person can act on.
 *
 * <p>{@link #field()} names the offending field the way the admin API does (e.g. {@code "address"},
 * {@code "tcp.ranges"}, {@code "conditions.time_windows[0].end"}) so the gRPC adapter can map it to
 * INVALID_ARGUMENT with the field in the message.
 */
public final class InvalidPolicyException extends IllegalArgumentException {

    private final String field;

    public InvalidPolicyException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The field path the problem is about. */
    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String problem() {
        return getMessage().substring(field.length() + 2);
    }
}
