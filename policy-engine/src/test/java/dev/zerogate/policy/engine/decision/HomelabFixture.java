package dev.zerogate.policy.engine.decision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.DottedVersion;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.OsRequirement;
import dev.zerogate.policy.engine.conditions.PostureRequirements;
import dev.zerogate.policy.engine.conditions.SemanticVersion;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.engine.model.SubjectKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a policy fixture (golden/homelab-policy.json) into the engine's model, with the named
 * subjects and devices the decision table refers to. The format is described in the file.
 */
final class HomelabFixture {

    final PolicyContents policy;
    final Map<String, Subject> subjects = new HashMap<>();
    final Map<String, Device> devices = new HashMap<>();

    private HomelabFixture(JsonNode root) {
        List<Resource> resources = new ArrayList<>();
        root.get("resources").forEach(node -> resources.add(resource(node)));
        List<Group> groups = new ArrayList<>();
        root.get("groups").forEach(node -> groups.add(group(node)));
        List<AccessRule> rules = new ArrayList<>();
        root.get("rules").forEach(node -> rules.add(rule(node)));
        policy = new PolicyContents(resources, groups, rules);
        root.get("subjects").fields().forEachRemaining(e -> subjects.put(e.getKey(), subject(e.getValue())));
        root.get("devices").fields().forEachRemaining(e -> devices.put(e.getKey(), device(e.getValue())));
    }

    static HomelabFixture load(String classpathResource) {
        try (InputStream in = HomelabFixture.class.getClassLoader().getResourceAsStream(classpathResource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + classpathResource);
            }
            return new HomelabFixture(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The subject, with its token bound to {@code deviceId} unless the fixture binds it elsewhere. */
    Subject subject(String key, Optional<String> deviceId) {
        Subject subject = subjects.get(key);
        if (subject == null) {
            throw new IllegalArgumentException("unknown subject " + key);
        }
        Optional<String> bound = subject.deviceId().isPresent() ? subject.deviceId() : deviceId;
        return new Subject(subject.kind(), subject.id(), subject.groupsClaim(), subject.amr(), subject.authTime(), bound);
    }

    Device device(String key) {
        Device device = devices.get(key);
        if (device == null) {
            throw new IllegalArgumentException("unknown device " + key);
        }
        return device;
    }

    private static Resource resource(JsonNode node) {
        return new Resource(text(node, "id"), text(node, "network"), text(node, "name"),
                ResourceAddress.parse(text(node, "address")),
                optionalText(node, "alias").map(alias -> DnsName.parse(alias, "alias")),
                ports(node.get("tcp")), ports(node.get("udp")), node.path("icmp").asBoolean(false));
    }

    private static PortPolicy ports(JsonNode node) {
        if (node == null || node.isNull()) {
            return PortPolicy.ALL;
        }
        if (node.isTextual()) {
            return switch (node.asText()) {
                case "all" -> PortPolicy.ALL;
                case "none" -> PortPolicy.NONE;
                default -> throw new IllegalArgumentException("ports: 'all', 'none' or a list, not " + node);
            };
        }
        List<String> ranges = new ArrayList<>();
        node.forEach(range -> ranges.add(range.asText()));
        return PortPolicy.listed(ranges.toArray(String[]::new));
    }

    private static Group group(JsonNode node) {
        GroupSource source = GroupSource.valueOf(text(node, "source"));
        if (source == GroupSource.IDP_SYNC) {
            return Group.idpSync(text(node, "id"), text(node, "name"), text(node, "idp_group_name"));
        }
        return Group.local(text(node, "id"), text(node, "name"), strings(node.get("users")), strings(node.get("service_accounts")));
    }

    private static AccessRule rule(JsonNode node) {
        RuleSubject subject = node.has("group")
                ? RuleSubject.group(text(node, "group"))
                : RuleSubject.serviceAccount(text(node, "service_account"));
        return new AccessRule(text(node, "id"), text(node, "name"), subject, listOf(node.get("resources")),
                conditions(node.get("conditions")), node.path("disabled").asBoolean(false), Instant.parse(text(node, "created_at")));
    }

    private static AccessConditions conditions(JsonNode node) {
        if (node == null) {
            return AccessConditions.NONE;
        }
        List<TimeWindow> windows = new ArrayList<>();
        if (node.has("time_windows")) {
            node.get("time_windows").forEach(w -> windows.add(TimeWindow.of(days(w.get("days")), text(w, "start"), text(w, "end"),
                    text(w, "time_zone"))));
        }
        return new AccessConditions(node.path("require_mfa").asBoolean(false),
                optionalText(node, "max_auth_age").map(Duration::parse),
                Optional.ofNullable(node.get("device")).map(HomelabFixture::posture),
                windows,
                optionalText(node, "expires_at").map(Instant::parse));
    }

    private static PostureRequirements posture(JsonNode node) {
        List<OsRequirement> os = new ArrayList<>();
        if (node.has("allowed_os")) {
            node.get("allowed_os").forEach(o -> os.add(new OsRequirement(OperatingSystem.valueOf(text(o, "os")),
                    optionalText(o, "min_version").map(v -> DottedVersion.parse(v, "min_version")))));
        }
        return new PostureRequirements(os, node.path("require_disk_encryption").asBoolean(false),
                node.path("require_screen_lock").asBoolean(false),
                optionalText(node, "min_client_version").map(v -> SemanticVersion.parse(v, "min_client_version")),
                node.path("require_trusted_device").asBoolean(false));
    }

    private static List<DayOfWeek> days(JsonNode node) {
        List<DayOfWeek> days = new ArrayList<>();
        node.forEach(day -> days.add(DayOfWeek.valueOf(day.asText())));
        return days;
    }

    private static Subject subject(JsonNode node) {
        return new Subject(SubjectKind.valueOf(text(node, "kind")), text(node, "id"), strings(node.get("groups")),
                strings(node.get("amr")), optionalText(node, "auth_time").map(Instant::parse), optionalText(node, "device_id"));
    }

    private static Device device(JsonNode node) {
        return new Device(text(node, "id"), OperatingSystem.valueOf(text(node, "os")), optionalText(node, "os_version"),
                PostureFlag.valueOf(text(node, "disk_encryption")), PostureFlag.valueOf(text(node, "screen_lock")),
                optionalText(node, "client_version"), node.path("trusted").asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("fixture: '" + field + "' missing in " + node);
        }
        return value.asText();
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> values = new HashSet<>();
        if (node != null) {
            node.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    private static List<String> listOf(JsonNode node) {
        List<String> values = new ArrayList<>();
        node.forEach(value -> values.add(value.asText()));
        return values;
    }
}
