package dev.zerogate.client.policy;

import dev.zerogate.client.cli.ProtoJsonTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code zerogate resources} prints, from the API's answer alone (no server). */
class ResourcesCommandTest {

    @Test
    void myResourcesShowTheNameToUseThePortsTheRulesAndWhetherReady() {
        String text = ResourcesCommand.table(List.of(
                ProtoJsonTest.reachable("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02", "pihole.zg"),
                ProtoJsonTest.reachable("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f03", "nas.lan", "requires MFA",
                        "only Mon-Fri 08:00-18:00 Europe/Berlin"))).render();
        String[] lines = text.split("\n");
        assertEquals(List.of("NAME", "TO", "USE", "NETWORK", "PORTS", "ALLOWED", "BY", "STATUS"), List.of(lines[0].split("\\s+")));
        assertTrue(lines[1].startsWith("pihole.zg     home      tcp 80,443   family \u2192 pihole   ready"), text);
        assertTrue(lines[2].endsWith("requires MFA; only Mon-Fri 08:00-18:00 Europe/Berlin"), text);
    }
}
