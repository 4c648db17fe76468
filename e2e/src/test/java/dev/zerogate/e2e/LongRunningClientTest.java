package dev.zerogate.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running `zerogate up` stays logged in and working: with access tokens of 20 s and device
 * certificates of 60 s, it opens a flow every two seconds for more than three minutes, across
 * many refreshes and several certificate renewals, and the relay is restarted in the middle.
 * No flow fails except while the relay is away, and flows work again within 5 s of its return.
 */
class LongRunningClientTest {

    static final Duration RUN = Duration.ofSeconds(200);
    static final Duration EVERY = Duration.ofSeconds(2);
    static final Duration RESUME_WITHIN = Duration.ofSeconds(5);

    @TempDir
    static Path home;
    static TunnelStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = TunnelStack.start(home, Map.of("ZEROGATE_IDENTITY_TOKENS_ACCESS_TOKEN_LIFETIME", "20s",
                "ZEROGATE_IDENTITY_DEVICES_CERTIFICATE_LIFETIME", "60s"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    /** One flow through the proxy: true when the page came back whole. */
    private static boolean flowThrough(int proxyPort) throws Exception {
        String result = DataPlaneTest.curl("--max-time", "10", "--socks5-hostname", "127.0.0.1:" + proxyPort, stack.pageUrl());
        return result.startsWith("0 ") && result.contains(stack.marker);
    }

    private record Attempt(Instant at, boolean ok) {
    }

    @Test
    void upKeepsOpeningFlowsAcrossRefreshesCertificateRenewalsAndARelayRestart() throws Exception {
        Path config = stack.enrolledClient(home.resolve("client"));
        int proxyPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            proxyPort = probe.getLocalPort();
        }
        Path stdout = home.resolve("up.out");
        Path stderr = home.resolve("up.err");
        Process up = stack.cli(config, stdout, stderr, "up", "--listen", "127.0.0.1:" + proxyPort);
        Set<String> accessTokens = new HashSet<>();
        Set<String> certificates = new HashSet<>();
        List<Attempt> attempts = new ArrayList<>();
        Instant relayStopped = null;
        Instant relayBack = null;
        Instant resumed = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(stdout).contains("zerogate up") && System.nanoTime() < deadline && up.isAlive()) {
                Thread.sleep(100);
            }
            assertTrue(up.isAlive(), Files.readString(stderr));
            Instant started = Instant.now();
            Instant end = started.plus(RUN);
            while (Instant.now().isBefore(end)) {
                accessTokens.add(IdentityAndPolicyTest.field(Files.readString(config.resolve("credentials.json")), "access_token"));
                certificates.add(Files.readString(config.resolve("device.crt")));
                if (relayStopped == null && Instant.now().isAfter(started.plus(RUN.dividedBy(2)))) {
                    relayStopped = Instant.now();
                    stack.restartRelay();
                    relayBack = Instant.now();
                    // Every 250 ms until a flow works: how long the return takes.
                    while (resumed == null && Duration.between(relayBack, Instant.now()).compareTo(RESUME_WITHIN.multipliedBy(4)) < 0) {
                        boolean ok = flowThrough(proxyPort);
                        attempts.add(new Attempt(Instant.now(), ok));
                        if (ok) {
                            resumed = Instant.now();
                        } else {
                            Thread.sleep(250);
                        }
                    }
                    continue;
                }
                attempts.add(new Attempt(Instant.now(), flowThrough(proxyPort)));
                Thread.sleep(EVERY.toMillis());
            }
            assertTrue(up.isAlive(), "zerogate up kept running: " + Files.readString(stderr));

            Process status = stack.cli(config, home.resolve("status.out"), home.resolve("status.err"), "status");
            assertTrue(status.waitFor(60, TimeUnit.SECONDS));
            String shown = Files.readString(home.resolve("status.out"));
            assertEquals(0, status.exitValue(), shown + Files.readString(home.resolve("status.err")));
            assertTrue(shown.contains("Running:     zerogate up 127.0.0.1:" + proxyPort), shown);
            assertTrue(shown.contains("Relay:     " + stack.relayUrl()), shown);
            assertTrue(shown.contains("Flows:"), shown);
            assertFalse(shown.contains("ENDED") || shown.contains("NOT RESPONDING"), shown);
        } finally {
            up.destroy();
            up.waitFor(10, TimeUnit.SECONDS);
        }

        String errors = Files.readString(stderr);
        assertTrue(resumed != null, "no flow worked within " + RESUME_WITHIN.multipliedBy(4) + " of the relay's return: " + attempts);
        long resumeMillis = Duration.between(relayBack, resumed).toMillis();
        assertTrue(resumeMillis <= RESUME_WITHIN.toMillis(), "flows resumed " + resumeMillis + " ms after the relay was back");
        Instant stoppedAt = relayStopped;
        Instant backAt = relayBack;
        List<Attempt> failedOutsideTheRestart = attempts.stream()
                .filter(a -> !a.ok() && (a.at().isBefore(stoppedAt) || a.at().isAfter(backAt.plus(RESUME_WITHIN)))).toList();
        assertTrue(failedOutsideTheRestart.isEmpty(), "flows failed outside the relay's restart: " + failedOutsideTheRestart
                + "\nzerogate up said:\n" + errors);
        long succeeded = attempts.stream().filter(Attempt::ok).count();
        assertTrue(succeeded >= 80, "flows opened: " + succeeded + " of " + attempts.size());
        // 200 s of 20 s tokens refreshed at 4-6 s before expiry: a dozen; 60 s certificates: three or four.
        assertTrue(accessTokens.size() >= 8, "access tokens seen in credentials.json: " + accessTokens.size());
        assertTrue(certificates.size() >= 3, "device certificates seen: " + certificates.size());
        assertFalse(errors.contains("Exception"), errors);
        assertFalse(errors.contains("session has ended"), errors);
        System.out.printf("LongRunningClientTest: %d flows, %d failed (all during the relay restart), flows resumed %d ms after the"
                + " relay was back, %d access tokens, %d device certificates%n", attempts.size(), attempts.size() - succeeded,
                resumeMillis, accessTokens.size(), certificates.size());
    }
}
