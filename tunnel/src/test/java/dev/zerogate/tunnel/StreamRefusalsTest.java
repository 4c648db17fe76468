package dev.zerogate.tunnel;

import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamRefusalsTest {

    private static final String PREFIX = "STREAM_REFUSE_REASON_";

    @Test
    void everyReasonHasItsOwnLabelItsNameWithoutThePrefix() {
        Set<String> labels = new HashSet<>();
        for (StreamRefuseReason reason : StreamRefuseReason.values()) {
            String label = StreamRefusals.label(reason);
            assertTrue(labels.add(label), "a second " + label);
            if (reason != StreamRefuseReason.UNRECOGNIZED) {
                assertEquals(reason.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT), label);
            }
        }
        assertEquals("policy_denied", StreamRefusals.label(StreamRefuseReason.STREAM_REFUSE_REASON_POLICY_DENIED));
    }

    @Test
    void theReasonTravelsAsTheVarintItAlwaysWas() throws Exception {
        // Field 1, varint 8 (CAPACITY); field 2, "full": the bytes a uint32 reason of 8 made.
        byte[] wire = {0x08, 0x08, 0x12, 0x04, 'f', 'u', 'l', 'l'};
        assertArrayEquals(wire, StreamRefused.newBuilder().setReason(StreamRefuseReason.STREAM_REFUSE_REASON_CAPACITY)
                .setMessage("full").build().toByteArray());
        assertEquals(StreamRefuseReason.STREAM_REFUSE_REASON_CAPACITY, StreamRefused.parseFrom(wire).getReason());

        // A number a later version may add is kept, not an error.
        StreamRefused later = StreamRefused.parseFrom(new byte[]{0x08, 0x63});
        assertEquals(StreamRefuseReason.UNRECOGNIZED, later.getReason());
        assertEquals(99, later.getReasonValue());
    }
}
