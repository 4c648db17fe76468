package dev.zerogate.policy.api;

import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.PolicyRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.engine.address.AddressKind;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.spec.ConditionsSpec;
import dev.zerogate.policy.engine.spec.GroupSpec;
import dev.zerogate.policy.engine.spec.ResourceSpec;
import dev.zerogate.policy.engine.spec.RuleSpec;
import dev.zerogate.policy.store.LogKind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A record read back from its row or its log entry is the record that was written, to the last field. */
class StoredFormsTest {

    static final String ID = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f01";
    static final String NETWORK = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02";
    static final String OTHER = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f03";
    static final Instant CREATED = Instant.parse("2026-11-25T08:00:00.123456Z");
    static final Instant UPDATED = Instant.parse("2026-11-26T09:30:00Z");

    private final StoredForms forms = new StoredForms();

    static final ResourceRecord RESOURCE = new ResourceRecord(new ResourceSpec(ID, NETWORK, "NAS",
            new ResourceSpec.Address(Optional.of(AddressKind.CIDR), "192.168.1.0/24"), "nas.zg",
            new ResourceSpec.Ports(Optional.of(PortPolicy.Mode.LISTED), List.of(new ResourceSpec.Range(80, 90))),
            new ResourceSpec.Ports(Optional.of(PortPolicy.Mode.NONE), List.of()), true), "the NAS", CREATED, UPDATED, 42);

    static final GroupRecord GROUP = new GroupRecord(new GroupSpec(ID, "family", GroupSource.LOCAL, "",
            List.of(GroupSpec.Member.user(OTHER), GroupSpec.Member.serviceAccount(NETWORK))), "", CREATED, UPDATED, 7);

    static final RuleRecord RULE = new RuleRecord(new RuleSpec(ID, "family → nas", Optional.of(new RuleSpec.Subject(RuleSubject.Kind.GROUP, OTHER)),
            List.of(NETWORK, OTHER), Optional.of(new ConditionsSpec(true, Optional.of(Duration.ofHours(8)),
            Optional.of(new ConditionsSpec.Posture(List.of(new ConditionsSpec.Os(OperatingSystem.MACOS, "014.4")), true, false,
                    "1.2.3+build.5", false)),
            List.of(new ConditionsSpec.Window(List.of(5, 1), Optional.of(new ConditionsSpec.Clock(22, 0)),
                    Optional.of(new ConditionsSpec.Clock(24, 0)), "Europe/Berlin")),
            Optional.of(Instant.parse("2027-01-01T00:00:00Z")))), false, CREATED), "at night", UPDATED, 9);

    @Test
    void rowBodiesReadBackAsWritten() {
        ConnectorRecord connector = new ConnectorRecord(ID, NETWORK, "pi", "in the closet", CREATED, UPDATED, 3);
        assertEquals(connector, forms.connector(forms.body(connector)));
        assertEquals(RESOURCE, forms.resource(forms.body(RESOURCE)));
        assertEquals(GROUP, forms.group(forms.body(GROUP)));
        assertEquals(RULE, forms.rule(forms.body(RULE)));
        assertEquals(2, new JsonObject(forms.body(GROUP)).getInteger("memberCount"), "the body keeps the member count");
    }

    @Test
    void logPayloadsReadBackAsWritten() {
        Map<LogKind, PolicyRecord> written = Map.of(
                LogKind.NETWORK_UPSERTED, new NetworkRecord(ID, "Home", "", CREATED, UPDATED, 5),
                LogKind.CONNECTOR_DELETED, new ConnectorRecord(ID, NETWORK, "pi", "", CREATED, UPDATED, 3),
                LogKind.RESOURCE_UPSERTED, RESOURCE,
                LogKind.GROUP_DELETED, GROUP,
                LogKind.RULE_UPSERTED, RULE,
                LogKind.REVOCATION, new RevocationRecord(RevocationRecord.Target.SESSION, OTHER, UPDATED, "signed out"));
        written.forEach((kind, record) -> assertEquals(record, forms.payload(kind, forms.payload(record)), kind.name()));
        assertThrows(IllegalArgumentException.class, () -> forms.payload(LogKind.RULE_UPSERTED, new byte[] {(byte) 0xff}));
    }

    @Test
    void changeDetailsHoldBeforeAndAfterAsTheApiShowsThem() {
        JsonObject created = new JsonObject(forms.changeDetails(null, RESOURCE));
        assertFalse(created.containsKey("before"));
        assertEquals("192.168.1.0/24", created.getJsonObject("after").getJsonObject("address").getString("cidr"));
        JsonObject deleted = new JsonObject(forms.changeDetails(RESOURCE, null));
        assertEquals("42", deleted.getJsonObject("before").getString("etag"));
        assertFalse(deleted.containsKey("after"));
    }
}
