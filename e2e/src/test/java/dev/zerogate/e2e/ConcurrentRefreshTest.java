package dev.zerogate.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.zerogate.e2e.IdentityAndPolicyTest.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight `zerogate` processes started at once with a stale access token share one credential
 * state: one of them refreshes under the lock, the others wait and use its tokens, and the
 * session survives. identity-svc runs with its reuse grace window off, so only the lock can
 * make this pass: a second use of the refresh token would revoke the session. Access tokens
 * live 20 s, so that a running `zerogate up` beside them refreshes during the test too.
 */
class ConcurrentRefreshTest {

    @TempDir
    static Path home;
    static TunnelStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = TunnelStack.start(home, Map.of("ZEROGATE_IDENTITY_TOKENS_REFRESH_REUSE_GRACE", "0s",
                "ZEROGATE_IDENTITY_TOKENS_ACCESS_TOKEN_LIFETIME", "20s"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    /** Marks the saved access token as expired, as after a night's sleep. */
    private static String makeStale(Path config) throws Exception {
        String saved = Files.readString(config.resolve("credentials.json"));
        stack.writeCredentials(config, field(saved, "access_token"), field(saved, "refresh_token"), 0);
        return field(saved, "refresh_token");
    }

    @Test
    void eightCommandsStartedAtOnceWithAStaleTokenAllSucceedAndTheSessionLivesOn() throws Exception {
        Path config = stack.enrolledClient(home.resolve("client"));
        String spentOnce = makeStale(config);
        List<Process> commands = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            commands.add(stack.cli(config, home.resolve("resources-" + i + ".out"), home.resolve("resources-" + i + ".err"), "resources"));
        }
        for (int i = 0; i < commands.size(); i++) {
            Process command = commands.get(i);
            assertTrue(command.waitFor(120, TimeUnit.SECONDS), "command " + i + " did not end");
            String out = Files.readString(home.resolve("resources-" + i + ".out"));
            String err = Files.readString(home.resolve("resources-" + i + ".err"));
            assertEquals(0, command.exitValue(), "command " + i + ": " + out + err);
            assertTrue(out.contains("127.0.0.1") && out.contains("family -> home page"), out);
        }

        String saved = Files.readString(config.resolve("credentials.json"));
        String current = field(saved, "refresh_token");
        assertNotEquals(spentOnce, current, "refreshed once and saved for all");

        // The session still lives: the next stale start refreshes with the saved token, and then
        // the saved token refreshes at identity-svc directly too.
        makeStale(config);
        Process after = stack.cli(config, home.resolve("after.out"), home.resolve("after.err"), "resources");
        assertTrue(after.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, after.exitValue(), Files.readString(home.resolve("after.err")));
        HttpResponse<String> direct = IdentityAndPolicyTest.post(stack.identityUrl() + "/oauth2/token", Map.of("grant_type", "refresh_token",
                "refresh_token", field(Files.readString(config.resolve("credentials.json")), "refresh_token"),
                "client_id", "zerogate-cli"), null);
        assertEquals(200, direct.statusCode(), direct.body());
    }

    @Test
    void commandsBesideARunningTunnelAndItsOwnRefreshesShareOneSession() throws Exception {
        Path config = stack.enrolledClient(home.resolve("client-with-up"));
        int proxyPort = dev.zerogate.testkit.FreePorts.loopback();
        Process up = stack.cli(config, home.resolve("up.out"), home.resolve("up.err"), "up", "--listen", "127.0.0.1:" + proxyPort);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(home.resolve("up.out")).contains("zerogate up") && System.nanoTime() < deadline && up.isAlive()) {
                Thread.sleep(100);
            }
            makeStale(config);
            List<Process> commands = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                commands.add(stack.cli(config, home.resolve("beside-" + i + ".out"), home.resolve("beside-" + i + ".err"), "resources"));
            }
            for (int i = 0; i < commands.size(); i++) {
                assertTrue(commands.get(i).waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, commands.get(i).exitValue(), Files.readString(home.resolve("beside-" + i + ".err")));
            }
            // The tunnel still holds the refresh token the commands spent; its next refresh must
            // take theirs from the file instead, and its refresh after that spends theirs.
            String byCommands = field(Files.readString(config.resolve("credentials.json")), "refresh_token");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (field(Files.readString(config.resolve("credentials.json")), "refresh_token").equals(byCommands)
                    && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertNotEquals(byCommands, field(Files.readString(config.resolve("credentials.json")), "refresh_token"),
                    "the running tunnel refreshed after the commands");
            String page = DataPlaneTest.curl("--socks5-hostname", "127.0.0.1:" + proxyPort, stack.pageUrl());
            assertTrue(page.startsWith("0 ") && page.contains(stack.marker), page);
            assertTrue(up.isAlive());
            String said = Files.readString(home.resolve("up.err"));
            assertTrue(!said.contains("session has ended") && !said.contains("Exception"), said);
        } finally {
            up.destroy();
            up.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
