package dev.zerogate.connector.policy;

/**
 * The policy stream broke its protocol (a snapshot with items missing, a change before any
 * snapshot, ...). The mirror keeps its last good view; the stream client drops the call and
 * reconnects.
 */
public final class PolicyStreamException extends RuntimeException {

    public PolicyStreamException(String message) {
        super(message);
    }
}
