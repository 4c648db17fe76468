package dev.zerogate.relay.data;

import dev.zerogate.proto.relay.v1.FlowRejectReason;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;

/**
 * A connector's FlowRejected reason (relay control contract) as the tunnel contract's reason,
 * whose words the client hears: one explicit table, so that a value added to the control
 * contract fails to compile here, and one added to the tunnel contract only fails
 * {@code FlowRejectionsTest}.
 */
final class FlowRejections {

    private FlowRejections() {
    }

    static StreamRefuseReason toStreamRefuseReason(FlowRejectReason reason) {
        return switch (reason) {
            case FLOW_REJECT_REASON_UNSPECIFIED -> StreamRefuseReason.STREAM_REFUSE_REASON_UNSPECIFIED;
            case FLOW_REJECT_REASON_GRANT_INVALID -> StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_INVALID;
            case FLOW_REJECT_REASON_GRANT_EXPIRED -> StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_EXPIRED;
            case FLOW_REJECT_REASON_GRANT_MISMATCH -> StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_MISMATCH;
            case FLOW_REJECT_REASON_POLICY_DENIED -> StreamRefuseReason.STREAM_REFUSE_REASON_POLICY_DENIED;
            case FLOW_REJECT_REASON_RESOURCE_UNKNOWN -> StreamRefuseReason.STREAM_REFUSE_REASON_RESOURCE_UNKNOWN;
            case FLOW_REJECT_REASON_DESTINATION_UNRESOLVABLE -> StreamRefuseReason.STREAM_REFUSE_REASON_DESTINATION_UNRESOLVABLE;
            case FLOW_REJECT_REASON_DESTINATION_UNREACHABLE -> StreamRefuseReason.STREAM_REFUSE_REASON_DESTINATION_UNREACHABLE;
            case FLOW_REJECT_REASON_CAPACITY -> StreamRefuseReason.STREAM_REFUSE_REASON_CAPACITY;
            case FLOW_REJECT_REASON_DRAINING -> StreamRefuseReason.STREAM_REFUSE_REASON_DRAINING;
            case FLOW_REJECT_REASON_PROTOCOL_UNSUPPORTED -> StreamRefuseReason.STREAM_REFUSE_REASON_PROTOCOL_UNSUPPORTED;
            case FLOW_REJECT_REASON_RENDEZVOUS_FAILED -> StreamRefuseReason.STREAM_REFUSE_REASON_RENDEZVOUS_FAILED;
            case FLOW_REJECT_REASON_TIMEOUT -> StreamRefuseReason.STREAM_REFUSE_REASON_TIMEOUT;
            case FLOW_REJECT_REASON_INTERNAL -> StreamRefuseReason.STREAM_REFUSE_REASON_INTERNAL;
            case UNRECOGNIZED -> StreamRefuseReason.UNRECOGNIZED;
        };
    }
}
