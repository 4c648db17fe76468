package dev.zerogate.e2e;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.ReachableResource;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin CLI against a real policy-svc: an admin (a TestIdentity token in the admins group,
 * saved as a login would save it) builds a network, a resource, a group and a rule with
 * {@code zerogate admin ...}; a member of the group, on an enrolled device, then sees the
 * resource and the rule with {@code zerogate resources}; and the member is refused the admin
 * commands with one clear line. The CLI is the packaged application, run as a process per
 * command, each with its own config directory.
 */
class CliAdminTest {

    @TempDir
    static Path home;

    static EmbeddedPostgresServer postgres;
    static ServiceProcess policy;

    @BeforeAll
    static void startPolicySvc() throws Exception {
        int base = FreePorts.consecutiveLoopback(2);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        policy = ServiceProcess.start("policy-svc", "policy", base + 1, postgres.ensureDatabase("zerogate_policy"),
                Map.of("ZEROGATE_POLICY_IDENTITY_URL", TestIdentity.instance().url(),
                        "ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy-master.key").toString()), home);
    }

    @AfterAll
    static void stopPolicySvc() throws Exception {
        if (policy != null) {
            policy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A config directory holding what `zerogate login` saves, for a token of these claims. */
    static Path loggedIn(String name, String token) throws IOException {
        Path dir = Files.createDirectories(home.resolve(name));
        String credentials = "{\"server\":\"" + TestIdentity.instance().url() + "\",\"access_token\":\"" + token
                + "\",\"refresh_token\":\"not-used-before-expiry\",\"access_token_expires_at\":"
                + Instant.now().plusSeconds(900).getEpochSecond() + ",\"relays\":[]}";
        Files.writeString(dir.resolve("credentials.json"), credentials);
        return dir;
    }

    static Result cli(Path configDir, Map<String, String> environment, String... args) throws Exception {
        Path app = LocalStackHarness.projectDir().resolve("client/target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(LocalOptions.currentJava(), "-jar", app.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("ZEROGATE_CONFIG_DIR", configDir.toString());
        builder.environment().remove("ZEROGATE_POLICY_URL");
        builder.environment().remove("DISPLAY");
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("zerogate " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static Result cli(Path configDir, String... args) throws Exception {
        return cli(configDir, Map.of(), args);
    }

    /** The command's proto3 JSON, parsed into {@code builder}: the CLI prints what the contract defines. */
    @SuppressWarnings("unchecked")
    static <M extends Message> M parsed(Result result, Message.Builder builder) throws Exception {
        assertEquals(0, result.exit(), result::toString);
        JsonFormat.parser().merge(result.out(), builder);
        return (M) builder.build();
    }

    /** The elements of a JSON array printed by the CLI, each parsed as proto3 JSON. */
    static List<ReachableResource> reachable(Result result) throws Exception {
        assertEquals(0, result.exit(), result::toString);
        String array = result.out().strip();
        assertTrue(array.startsWith("[") && array.endsWith("]"), result::toString);
        // Wrap the array in a message of the same shape, so the contract's parser reads every element.
        var response = dev.zerogate.proto.policy.v1.ListMyResourcesResponse.newBuilder();
        JsonFormat.parser().merge("{\"resources\": " + array + "}", response);
        return response.getResourcesList();
    }

    @Test
    void anAdminBuildsAPolicyAMemberSeesItsResourceAndANonAdminIsRefused() throws Exception {
        String memberId = UUID.randomUUID().toString();
        String deviceId = UUID.randomUUID().toString();
        String adminToken = TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins"));
        String memberToken = TestIdentity.instance().token(Claims.user(memberId)
                .withDevice(deviceId, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
        Path admin = loggedIn("admin", adminToken);
        Path member = loggedIn("member", memberToken);

        // A login that saved no policy URL: the CLI does not guess where policy-svc is.
        Result unknown = cli(admin, "admin", "networks", "list");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().startsWith("zerogate: where is policy-svc?") && unknown.err().contains("--policy-url"), unknown::toString);

        RemoteNetwork network = parsed(cli(admin, "admin", "networks", "create", "home", "--policy-url", policy.url(), "--json"),
                RemoteNetwork.newBuilder());
        assertEquals("home", network.getName());
        assertEquals(36, network.getId().length());
        assertTrue(Files.readString(admin.resolve("credentials.json")).contains("\"policy_url\":\"" + policy.url() + "\""),
                "a --policy-url that worked is saved");

        Resource resource = parsed(cli(admin, "admin", "resources", "create", "--network", network.getId(), "--name", "Pi-hole",
                "--address", "10.0.0.5", "--alias", "pihole.zg", "--tcp", "80,443", "--udp", "none", "--json"), Resource.newBuilder());
        assertEquals("10.0.0.5", resource.getAddress().getIpAddress());
        assertEquals(2, resource.getTcp().getListed().getRangesCount());
        assertTrue(resource.getUdp().hasNone());

        Group group = parsed(cli(admin, "admin", "groups", "create", "--name", "family", "--member-user", memberId, "--json"),
                Group.newBuilder());
        assertEquals(GroupSource.GROUP_SOURCE_LOCAL, group.getSource());
        assertEquals(1, group.getMemberCount());

        AccessRule rule = parsed(cli(admin, "admin", "rules", "create", "--name", "family -> pihole", "--group", group.getId(),
                "--resource", resource.getId(), "--json"), AccessRule.newBuilder());
        assertEquals(List.of(resource.getId()), rule.getResourceIdsList());

        Result table = cli(admin, "admin", "resources", "list");
        assertEquals(0, table.exit(), table::toString);
        Matcher row = Pattern.compile("(?m)^" + resource.getId() + "\\s+Pi-hole\\s+home\\s+10\\.0\\.0\\.5\\s+pihole\\.zg\\s+"
                + "tcp 80,443; udp none; icmp no$").matcher(table.out());
        assertTrue(row.find(), table::toString);

        // The member's token names its device; the CLI sends that id, as policy-svc requires.
        List<ReachableResource> mine = reachable(cli(member, Map.of("ZEROGATE_POLICY_URL", policy.url()), "resources", "--json"));
        assertEquals(1, mine.size(), mine::toString);
        ReachableResource pihole = mine.get(0);
        assertEquals(resource.getId(), pihole.getResource().getId());
        assertEquals("pihole.zg", pihole.getConnectName());
        assertEquals("home", pihole.getRemoteNetworkName());
        assertEquals("family -> pihole", pihole.getAllowedBy(0).getRuleName());
        assertEquals("family", pihole.getAllowedBy(0).getViaGroupName());
        assertEquals(0, pihole.getUnmetConditionsCount());

        Result mineAsTable = cli(member, Map.of("ZEROGATE_POLICY_URL", policy.url()), "resources");
        assertEquals(0, mineAsTable.exit(), mineAsTable::toString);
        // Only what the data plane carries: TCP (this resource allows no UDP, so no note either).
        assertTrue(Pattern.compile("(?m)^pihole\\.zg\\s+home\\s+tcp 80,443\\s+family -> pihole\\s+ready$")
                .matcher(mineAsTable.out()).find(), mineAsTable::toString);
        assertFalse(mineAsTable.out().contains("UDP or ICMP"), mineAsTable::toString);

        Result refused = cli(member, "admin", "networks", "list", "--policy-url", policy.url());
        assertEquals(1, refused.exit(), refused::toString);
        assertEquals("", refused.out(), refused::toString);
        assertTrue(refused.err().startsWith("zerogate: permission denied: ") && refused.err().contains("admins"), refused::toString);
        assertEquals(1, refused.err().strip().lines().count(), "one line, no stack trace: " + refused);
        assertFalse(refused.err().contains(memberToken) || refused.err().contains("Exception"), refused::toString);
        assertFalse(Files.readString(member.resolve("credentials.json")).contains("policy_url"),
                "a --policy-url is saved only after a call through it worked");
    }

    @Test
    void anAdminChangesAndRemovesWhatItBuiltAndTheAuditLogRecordsIt() throws Exception {
        Path admin = loggedIn("admin-lifecycle", TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins")));
        Map<String, String> env = Map.of("ZEROGATE_POLICY_URL", policy.url());
        String user = UUID.randomUUID().toString();
        String account = UUID.randomUUID().toString();

        RemoteNetwork network = parsed(cli(admin, env, "admin", "networks", "create", "lab", "--json"), RemoteNetwork.newBuilder());
        Result renamed = cli(admin, env, "admin", "networks", "rename", network.getId(), "lab-2");
        assertEquals("Renamed remote network " + network.getId() + " to lab-2.\n", renamed.out(), renamed::toString);

        Resource created = parsed(cli(admin, env, "admin", "resources", "create", "--network", network.getId(), "--name", "nas",
                "--address", "nas.lan", "--json"), Resource.newBuilder());
        assertEquals("nas.lan", created.getAddress().getFqdn());
        Resource updated = parsed(cli(admin, env, "admin", "resources", "update", created.getId(), "--tcp", "22,8000-8080", "--icmp",
                "--json"), Resource.newBuilder());
        assertEquals(2, updated.getTcp().getListed().getRangesCount());
        assertTrue(updated.getIcmpAllowed());
        assertEquals(created.getUdp(), updated.getUdp(), "fields outside the options given are not changed");
        assertEquals("nas", updated.getName());

        Group group = parsed(cli(admin, env, "admin", "groups", "create", "--name", "lab-users", "--json"), Group.newBuilder());
        Result added = cli(admin, env, "admin", "groups", "add-member", group.getId(), "--user", user);
        assertTrue(added.out().startsWith("Added user " + user + " to group lab-users (1 member(s))"), added::toString);
        Result again = cli(admin, env, "admin", "groups", "add-member", group.getId(), "--user", user);
        assertTrue(again.exit() == 0 && again.out().contains("already a member"), again::toString);
        Group two = parsed(cli(admin, env, "admin", "groups", "add-member", group.getId(), "--service-account", account, "--json"),
                Group.newBuilder());
        assertEquals(2, two.getMemberCount());
        Group one = parsed(cli(admin, env, "admin", "groups", "remove-member", group.getId(), "--user", user, "--json"), Group.newBuilder());
        assertEquals(List.of(account), one.getMembersList().stream().map(m -> m.getServiceAccountId()).toList());
        Result notMember = cli(admin, env, "admin", "groups", "remove-member", group.getId(), "--user", user);
        assertEquals(1, notMember.exit(), notMember::toString);
        assertEquals("zerogate: user " + user + " is not a member of group lab-users\n", notMember.err());

        AccessRule rule = parsed(cli(admin, env, "admin", "rules", "create", "--name", "lab", "--group", group.getId(), "--resource",
                updated.getId(), "--require-mfa", "--max-auth-age", "8h", "--window", "Mon-Fri 08:00-18:00 Europe/Berlin", "--json"),
                AccessRule.newBuilder());
        assertEquals(8 * 3600, rule.getConditions().getMaxAuthAge().getSeconds());
        AccessRule disabled = parsed(cli(admin, env, "admin", "rules", "disable", rule.getId(), "--json"), AccessRule.newBuilder());
        assertTrue(disabled.getDisabled());
        assertEquals(rule.getConditions(), disabled.getConditions(), "disabling changes nothing else");
        Result rules = cli(admin, env, "admin", "rules", "list");
        assertTrue(Pattern.compile("(?m)^" + rule.getId() + "\\s+lab\\s+group lab-users\\s+1\\s+"
                + "mfa; max-auth-age 8h; Mon-Fri 08:00-18:00 Europe/Berlin\\s+disabled$").matcher(rules.out()).find(), rules::toString);
        Result shown = cli(admin, env, "admin", "rules", "show", rule.getId());
        assertTrue(shown.out().contains(updated.getId() + "   nas"), shown::toString);
        AccessRule enabled = parsed(cli(admin, env, "admin", "rules", "enable", rule.getId(), "--json"), AccessRule.newBuilder());
        assertFalse(enabled.getDisabled());

        Result stillListed = cli(admin, env, "admin", "resources", "delete", updated.getId());
        assertEquals(1, stillListed.exit(), stillListed::toString);
        assertTrue(stillListed.err().startsWith("zerogate: ") && stillListed.err().contains("'lab'"), stillListed::toString);
        for (String[] delete : List.of(new String[] {"rules", rule.getId()}, new String[] {"resources", updated.getId()},
                new String[] {"groups", group.getId()}, new String[] {"networks", network.getId()})) {
            Result deleted = cli(admin, env, "admin", delete[0], "delete", delete[1]);
            assertEquals(0, deleted.exit(), deleted::toString);
        }
        Result gone = cli(admin, env, "admin", "networks", "show", network.getId());
        assertEquals(1, gone.exit(), gone::toString);

        // The audit log: the query as a JSON array, newest first; the export as JSON lines, oldest first.
        Result query = cli(admin, env, "admin", "audit", "--action", "policy.resource.", "--json");
        assertEquals(0, query.exit(), query::toString);
        var events = dev.zerogate.proto.policy.v1.QueryAuditResponse.newBuilder();
        JsonFormat.parser().merge("{\"events\": " + query.out() + "}", events);
        List<String> resourceActions = events.getEventsList().stream().filter(e -> e.getTarget().getId().equals(updated.getId()))
                .map(e -> e.getAction()).toList();
        assertEquals(List.of("policy.resource.delete", "policy.resource.update", "policy.resource.create"), resourceActions);

        Result export = cli(admin, env, "admin", "audit", "export", "--action", "policy.remote_network.");
        assertEquals(0, export.exit(), export::toString);
        List<dev.zerogate.proto.policy.v1.AuditEvent> lines = new ArrayList<>();
        for (String line : export.out().split("\n")) {
            var event = dev.zerogate.proto.policy.v1.AuditEvent.newBuilder();
            JsonFormat.parser().merge(line, event);
            lines.add(event.build());
        }
        List<String> networkActions = lines.stream().filter(e -> e.getTarget().getId().equals(network.getId())).map(e -> e.getAction()).toList();
        assertEquals(List.of("policy.remote_network.create", "policy.remote_network.update", "policy.remote_network.delete"), networkActions);
        for (int i = 1; i < lines.size(); i++) {
            assertTrue(lines.get(i).getSequence() > lines.get(i - 1).getSequence(), "oldest first");
        }
        Result table = cli(admin, env, "admin", "audit", "--limit", "3");
        assertTrue(table.out().startsWith("TIME "), table::toString);
        assertEquals(4, table.out().lines().filter(l -> !l.startsWith("(")).count(), table::toString);
    }
}
