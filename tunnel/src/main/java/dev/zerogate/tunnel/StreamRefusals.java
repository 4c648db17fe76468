package dev.zerogate.tunnel;

import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;

/**
 * The words of a REFUSED frame's reason ({@link StreamRefuseReason}) for metric labels, logs
 * and messages: one explicit table, so that a reason added to the contract fails to compile
 * here until it has its label.
 */
public final class StreamRefusals {

    private StreamRefusals() {
    }

    /** The reason's label, e.g. {@code policy_denied}: its name without the prefix, lowercased. */
    public static String label(StreamRefuseReason reason) {
        return switch (reason) {
            case STREAM_REFUSE_REASON_UNSPECIFIED -> "unspecified";
            case STREAM_REFUSE_REASON_GRANT_INVALID -> "grant_invalid";
            case STREAM_REFUSE_REASON_GRANT_EXPIRED -> "grant_expired";
            case STREAM_REFUSE_REASON_GRANT_MISMATCH -> "grant_mismatch";
            case STREAM_REFUSE_REASON_POLICY_DENIED -> "policy_denied";
            case STREAM_REFUSE_REASON_RESOURCE_UNKNOWN -> "resource_unknown";
            case STREAM_REFUSE_REASON_DESTINATION_UNRESOLVABLE -> "destination_unresolvable";
            case STREAM_REFUSE_REASON_DESTINATION_UNREACHABLE -> "destination_unreachable";
            case STREAM_REFUSE_REASON_CAPACITY -> "capacity";
            case STREAM_REFUSE_REASON_DRAINING -> "draining";
            case STREAM_REFUSE_REASON_PROTOCOL_UNSUPPORTED -> "protocol_unsupported";
            case STREAM_REFUSE_REASON_RENDEZVOUS_FAILED -> "rendezvous_failed";
            case STREAM_REFUSE_REASON_TIMEOUT -> "timeout";
            case STREAM_REFUSE_REASON_INTERNAL -> "internal";
            case UNRECOGNIZED -> "unrecognized";
        };
    }
}
