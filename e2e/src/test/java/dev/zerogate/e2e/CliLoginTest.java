package dev.zerogate.e2e;

import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalStack;
import dev.zerogate.local.LocalStack.RunningService;
import dev.zerogate.testkit.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A person's first minutes: the first admin is created through the one-time link that
 * identity-svc printed, then {@code zerogate login} (the packaged CLI, as a process) logs in
 * with the device flow, {@code status} shows it, and {@code logout} ends the session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliLoginTest {

    static final Pattern SETUP_LINK = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/setup\\?token=[A-Za-z0-9_-]+)");
    static final Pattern USER_CODE = Pattern.compile("user_code=([A-Z]{4}-[A-Z]{4})");
    static final String PASSWORD = "an admin password for the test";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path home;
    private Path configDir;
    private LocalStack stack;
    private String identityUrl;

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("zerogate-cli-");
        configDir = home.resolve("cli-config");
        stack = LocalStackHarness.start(home, LocalStackHarness.freePortBase());
        RunningService identity = stack.services().stream().filter(s -> s.spec().name().equals("identity-svc")).findFirst().orElseThrow();
        identityUrl = "http://127.0.0.1:" + identity.port();
    }

    @AfterAll
    void stop() throws IOException {
        if (stack != null) {
            stack.close();
        }
        TempDirs.deleteRecursively(home);
    }

    @Test
    void firstAdminLogsInWithTheCliSeesStatusAndLogsOut() throws Exception {
        Matcher link = SETUP_LINK.matcher(Files.readString(home.resolve("logs/identity-svc.log")));
        assertTrue(link.find(), "identity-svc printed no setup link");
        String setupToken = URI.create(link.group(1)).getQuery().substring("token=".length());
        assertEquals(200, postForm("/setup", Map.of("token", setupToken, "username", "admin",
                "password", PASSWORD, "confirm", PASSWORD)).statusCode());

        Process login = cli("login", "--server", identityUrl, "--no-browser");
        String userCode = null;
        StringBuilder output = new StringBuilder();
        BufferedReader lines = new BufferedReader(new InputStreamReader(login.getInputStream(), StandardCharsets.UTF_8));
        for (String line; userCode == null && (line = lines.readLine()) != null; ) {
            output.append(line).append('\n');
            Matcher code = USER_CODE.matcher(line);
            if (code.find()) {
                userCode = code.group(1);
            }
        }
        assertTrue(userCode != null, "no code printed:\n" + output);
        HttpResponse<String> approved = postForm("/device", Map.of("user_code", userCode, "username", "admin",
                "password", PASSWORD, "action", "approve"));
        assertEquals(200, approved.statusCode(), approved.body());
        assertTrue(login.waitFor(60, TimeUnit.SECONDS), "login did not finish after approval");
        String rest = lines.lines().collect(Collectors.joining("\n"));
        assertEquals(0, login.exitValue(), output + rest);
        assertTrue(rest.contains("Logged in as admin"), rest);
        assertTrue(rest.contains("enrolled (certificate valid until"), rest);

        assertEquals("rwx------", permissions(configDir));
        assertEquals("rw-------", permissions(configDir.resolve("credentials.json")));
        assertEquals("rw-------", permissions(configDir.resolve("device.key")));
        assertEquals("rw-------", permissions(configDir.resolve("device.crt")));
        assertDeviceCertificateChainsToTheCa();

        Process status = cli("status");
        String statusOut = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(status.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, status.exitValue(), statusOut);
        assertTrue(statusOut.contains("Logged in as admin") && statusOut.contains("(the session is bound to it)"), statusOut);
        assertTrue(statusOut.contains("Device cert: CN=device "), statusOut);

        // A second factor, added from the CLI with the code an authenticator app would show.
        Process mfa = cli("mfa", "enroll");
        BufferedReader mfaOut = new BufferedReader(new InputStreamReader(mfa.getInputStream(), StandardCharsets.UTF_8));
        String secret = null;
        StringBuilder mfaText = new StringBuilder();
        for (String line; secret == null && (line = mfaOut.readLine()) != null; ) {
            mfaText.append(line).append('\n');
            if (line.startsWith("or by typing the secret: ")) {
                secret = line.substring("or by typing the secret: ".length()).strip();
            }
        }
        assertTrue(secret != null, "no secret printed:\n" + mfaText);
        mfa.getOutputStream().write((Rfc6238.code(secret, java.time.Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8));
        mfa.getOutputStream().close();
        assertTrue(mfa.waitFor(30, TimeUnit.SECONDS));
        String mfaRest = mfaOut.lines().collect(Collectors.joining("\n"));
        assertEquals(0, mfa.exitValue(), mfaText + mfaRest);
        assertTrue(mfaRest.contains("Second factor enabled"), mfaRest);

        String refreshToken = Files.readString(configDir.resolve("credentials.json")).replaceAll(".*\"refresh_token\":\"([^\"]+)\".*", "$1");
        Process logout = cli("logout");
        assertTrue(logout.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, logout.exitValue(), new String(logout.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertFalse(Files.exists(configDir.resolve("credentials.json")));
        HttpResponse<String> refreshed = postForm("/oauth2/token", Map.of("grant_type", "refresh_token",
                "refresh_token", refreshToken, "client_id", "zerogate-cli"));
        assertEquals(400, refreshed.statusCode(), "the session outlived logout: " + refreshed.body());
        assertTrue(refreshed.body().contains("invalid_grant"), refreshed.body());

        Process after = cli("status");
        assertTrue(after.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, after.exitValue());
    }

    /** RFC 6238 (SHA-1, 6 digits, 30 s): what an authenticator app computes. */
    static final class Rfc6238 {
        static String code(String base32Secret, java.time.Instant now) throws Exception {
            java.io.ByteArrayOutputStream key = new java.io.ByteArrayOutputStream();
            int buffer = 0;
            int bits = 0;
            for (char c : base32Secret.toCharArray()) {
                buffer = (buffer << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c);
                bits += 5;
                if (bits >= 8) {
                    key.write((buffer >> (bits - 8)) & 0xff);
                    bits -= 8;
                }
            }
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.toByteArray(), "HmacSHA1"));
            byte[] hash = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(now.getEpochSecond() / 30).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16) | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            return String.format("%06d", binary % 1_000_000);
        }
    }

    private void assertDeviceCertificateChainsToTheCa() throws Exception {
        var x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        java.security.cert.X509Certificate device;
        java.security.cert.X509Certificate ca;
        try (var in = Files.newInputStream(configDir.resolve("device.crt"))) {
            device = (java.security.cert.X509Certificate) x509.generateCertificate(in);
        }
        try (var in = Files.newInputStream(configDir.resolve("ca.crt"))) {
            ca = (java.security.cert.X509Certificate) x509.generateCertificate(in);
        }
        var pkix = new java.security.cert.PKIXParameters(java.util.Set.of(new java.security.cert.TrustAnchor(ca, null)));
        pkix.setRevocationEnabled(false);
        java.security.cert.CertPathValidator.getInstance("PKIX").validate(x509.generateCertPath(List.of(device)), pkix);
    }

    private Process cli(String... args) throws IOException {
        Path app = LocalStackHarness.projectDir().resolve("client/target/quarkus-app/quarkus-run.jar");
        List<String> command = new java.util.ArrayList<>(List.of(LocalOptions.currentJava(), "-jar", app.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ZEROGATE_CONFIG_DIR", configDir.toString());
        builder.environment().remove("DISPLAY");
        return builder.start();
    }

    private HttpResponse<String> postForm(String path, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(identityUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
