package dev.zerogate.policy.identity;

import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.proto.EngineMapping;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** identity-svc's operating systems map one to one onto the engine's, by table. */
class DeviceDirectoryTest {

    @Test
    void everyReportedOperatingSystemMapsToTheSameEngineValue() {
        Set<OperatingSystem> reached = EnumSet.noneOf(OperatingSystem.class);
        for (var reported : dev.zerogate.proto.identity.v1.OperatingSystem.values()) {
            if (reported == dev.zerogate.proto.identity.v1.OperatingSystem.UNRECOGNIZED) {
                assertEquals(OperatingSystem.UNSPECIFIED, DeviceDirectory.operatingSystem(reported));
                continue;
            }
            OperatingSystem os = DeviceDirectory.operatingSystem(reported);
            // The contracts give both enums the same names and numbers.
            assertEquals(reported.getNumber(), EngineMapping.toProto(os).getNumber(), reported.name());
            reached.add(os);
        }
        assertEquals(EnumSet.allOf(OperatingSystem.class), reached, "every engine value is reported by some identity value");
    }
}
