package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.engine.validation.PolicyValidator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Recomputes every decision in golden/homelab-decisions.tsv against golden/homelab-policy.json and
 * compares it with the expected columns, printing every mismatch side by side.
 *
 * <p>To accept a deliberate behaviour change, run this test with {@code -Dgolden.update=true}:
 * it rewrites the expected columns of src/test/resources/golden/homelab-decisions.tsv (comments
 * and request columns are kept) and fails so that nobody mistakes an update run for a check.
 * Review the diff of the file like code: every changed line is a changed decision.
 */
class GoldenDecisionsTest {

    private static final String POLICY = "golden/homelab-policy.json";
    private static final String DECISIONS = "golden/homelab-decisions.tsv";
    private static final int REQUEST_COLUMNS = 7;
    private static final int ALL_COLUMNS = 12;

    private final HomelabFixture fixture = HomelabFixture.load(POLICY);
    private final PolicySnapshot snapshot = PolicySnapshot.build(fixture.policy);

    @Test
    void everyGoldenDecisionIsReproduced() throws IOException {
        List<String> lines = Files.readAllLines(sourceFile(), StandardCharsets.UTF_8);
        List<String> rewritten = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        int cases = 0;
        for (String line : lines) {
            if (line.startsWith("#") || line.startsWith("case\t") || line.isBlank()) {
                rewritten.add(line);
                continue;
            }
            String[] columns = line.split("\t", -1);
            assertEquals(ALL_COLUMNS, columns.length, "wrong column count in: " + line);
            String[] request = java.util.Arrays.copyOf(columns, REQUEST_COLUMNS);
            String actual = String.join("\t", request) + "\t" + outcome(request);
            rewritten.add(actual);
            cases++;
            if (!actual.equals(line)) {
                mismatches.add(describeMismatch(columns, actual.split("\t", -1)));
            }
        }
        if (Boolean.getBoolean("golden.update")) {
            Files.write(sourceFile(), rewritten, StandardCharsets.UTF_8);
            fail("golden.update=true: rewrote " + sourceFile() + " (" + mismatches.size() + " changed decisions); review the diff"
                    + " and run again without the flag");
        }
        assertTrue(cases >= 60, "the golden table should cover at least 60 requests, has " + cases);
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " of " + cases + " golden decisions differ (run with -Dgolden.update=true to accept):\n"
                    + String.join("\n", mismatches));
        }
    }

    @Test
    void goldenTableCoversEveryDenyReason() throws IOException {
        Set<String> seen = Files.readAllLines(sourceFile(), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.startsWith("#") && !line.startsWith("case\t") && !line.isBlank())
                .map(line -> line.split("\t", -1)[8])
                .collect(Collectors.toSet());
        for (DenyReason reason : EnumSet.allOf(DenyReason.class)) {
            String expected = reason == DenyReason.UNSPECIFIED ? "-" : reason.name();
            assertTrue(seen.contains(expected), "no golden case has deny reason " + expected);
        }
    }

    @Test
    void goldenPolicyIsValid() {
        assertEquals(List.of(), PolicyValidator.validate(fixture.policy, Instant.parse("2025-06-01T00:00:00Z"))
                .stream().filter(p -> !p.field().equals("conditions.expires_at")).toList(),
                "the fixture should be a policy the admin API accepts (apart from the deliberately expired rule)");
    }

    private String outcome(String[] request) {
        Optional<String> deviceKey = "-".equals(request[2]) ? Optional.empty() : Optional.of(request[2]);
        Optional<Device> device = deviceKey.map(fixture::device);
        Subject subject = fixture.subject(request[1], device.map(Device::id));
        Decision decision = snapshot.decide(subject, device, request[3], Integer.parseInt(request[4]),
                Protocol.valueOf(request[5]), Instant.parse(request[6]));
        String verdict = decision.invalidRequest() ? "INVALID" : decision.verdict().name();
        String reason = decision.denyReason() == DenyReason.UNSPECIFIED ? "-" : decision.denyReason().name();
        return String.join("\t", verdict, reason, decision.rule().map(AccessRule::name).orElse("-"),
                decision.resource().map(Resource::id).orElse("-"), decision.reason());
    }

    private static String describeMismatch(String[] expected, String[] actual) {
        String[] names = {"case", "subject", "device", "destination", "port", "protocol", "at", "decision", "deny_reason", "rule",
                "resource", "reason"};
        StringBuilder text = new StringBuilder("case ").append(expected[0]).append(':');
        for (int i = REQUEST_COLUMNS; i < ALL_COLUMNS; i++) {
            if (!expected[i].equals(actual[i])) {
                text.append("\n    ").append(names[i]).append(":\n      expected ").append(expected[i])
                        .append("\n      actual   ").append(actual[i]);
            }
        }
        return text.toString();
    }

    /** The checked-in file (surefire runs in the module directory), so that an update rewrites the source. */
    private static Path sourceFile() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src/test/resources", DECISIONS);
    }
}
