package dev.zerogate.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.proto.policy.v1.AllowingRule;
import dev.zerogate.proto.policy.v1.AuditActor;
import dev.zerogate.proto.policy.v1.AuditEvent;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.ActorKind;
import dev.zerogate.proto.policy.v1.ReachableResource;
import dev.zerogate.proto.policy.v1.Resource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ProtoJsonTest {

    /** A resource as ListMyResources returns it; also the fixture of {@code ResourcesCommandTest}. */
    public static ReachableResource reachable(String id, String connectName, String... unmet) {
        return ReachableResource.newBuilder()
                .setResource(Resource.newBuilder().setId(id).setName("Pi-hole").setAddress(AddressSpec.parse("10.0.0.5"))
                        .setTcp(PortSpec.parse("80,443")).setUdp(PortSpec.parse("none")))
                .setRemoteNetworkName("home").setConnectName(connectName)
                .addAllowedBy(AllowingRule.newBuilder().setRuleId("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f00").setRuleName("family \u2192 pihole")
                        .setViaGroupId("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f01").setViaGroupName("family"))
                .addAllUnmetConditions(List.of(unmet))
                .build();
    }

    @Test
    void aListIsOneJsonArrayOfProto3JsonThatParsesBackToTheSameMessages() throws Exception {
        List<ReachableResource> items = List.of(reachable("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02", "pihole.zg"),
                reachable("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f03", "10.0.0.0/24", "requires MFA"));
        String text = ProtoJson.array(items);

        JsonNode array = new ObjectMapper().readTree(text);
        assertTrue(array.isArray(), text);
        assertEquals(2, array.size());
        assertEquals("pihole.zg", array.get(0).path("connectName").asText());
        assertEquals("requires MFA", array.get(1).path("unmetConditions").get(0).asText());
        assertTrue(array.get(0).path("resource").path("tcp").path("listed").path("ranges").isArray(), text);
        for (int i = 0; i < items.size(); i++) {
            ReachableResource.Builder parsed = ReachableResource.newBuilder();
            JsonFormat.parser().merge(array.get(i).toString(), parsed);
            assertEquals(items.get(i), parsed.build());
        }
    }

    @Test
    void anEmptyListIsAnEmptyArray() throws Exception {
        assertEquals("[]", ProtoJson.array(List.of()));
        assertEquals(0, new ObjectMapper().readTree(ProtoJson.array(List.of())).size());
    }

    @Test
    void anExportLineIsOneCompactObjectThatParsesBack() throws Exception {
        AuditEvent event = AuditEvent.newBuilder().setId("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f04").setSequence(42)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(1798675200L))
                .setActor(AuditActor.newBuilder().setKind(ActorKind.ACTOR_KIND_USER).setId("u").setDisplayName("ana@example.com"))
                .setAction("policy.resource.create").setOutcome(AuditOutcome.AUDIT_OUTCOME_SUCCESS)
                .setDetails(Struct.newBuilder().putFields("after", Value.newBuilder().setStringValue("multi\nline").build()))
                .build();
        String line = ProtoJson.line(event);
        assertFalse(line.contains("\n"), line);
        JsonNode node = new ObjectMapper().readTree(line);
        assertEquals("2026-12-31T00:00:00Z", node.path("occurredAt").asText());
        assertEquals("42", node.path("sequence").asText(), "uint64 is a JSON string in proto3 JSON");
        assertEquals("AUDIT_OUTCOME_SUCCESS", node.path("outcome").asText());
        AuditEvent.Builder parsed = AuditEvent.newBuilder();
        JsonFormat.parser().merge(line, parsed);
        assertEquals(event, parsed.build());
    }

    @Test
    void oneMessageIsOneObject() throws Exception {
        JsonNode node = new ObjectMapper().readTree(ProtoJson.object(reachable("x", "nas.lan")));
        assertTrue(node.isObject());
        assertEquals("home", node.path("remoteNetworkName").asText());
    }
}
