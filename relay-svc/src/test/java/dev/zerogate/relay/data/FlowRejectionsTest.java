package dev.zerogate.relay.data;

import dev.zerogate.proto.relay.v1.FlowRejectReason;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FlowRejectionsTest {

    @Test
    void everyFlowRejectReasonIsTheStreamRefuseReasonOfItsNameAndNumber() {
        for (FlowRejectReason reason : FlowRejectReason.values()) {
            if (reason == FlowRejectReason.UNRECOGNIZED) {
                continue;
            }
            StreamRefuseReason mapped = FlowRejections.toStreamRefuseReason(reason);
            assertEquals(reason.getNumber(), mapped.getNumber(), reason.name());
            assertEquals(reason.name().substring("FLOW_REJECT_REASON_".length()),
                    mapped.name().substring("STREAM_REFUSE_REASON_".length()));
        }
        assertEquals(StreamRefuseReason.UNRECOGNIZED, FlowRejections.toStreamRefuseReason(FlowRejectReason.UNRECOGNIZED));
    }

    @Test
    void everyStreamRefuseReasonHasItsFlowRejectReason() {
        Set<StreamRefuseReason> reached = EnumSet.noneOf(StreamRefuseReason.class);
        for (FlowRejectReason reason : FlowRejectReason.values()) {
            reached.add(FlowRejections.toStreamRefuseReason(reason));
        }
        assertEquals(EnumSet.allOf(StreamRefuseReason.class), reached,
                "a reason of zerogate.tunnel.v1 only: add it to zerogate.relay.v1.FlowRejectReason with the same number");
    }
}
