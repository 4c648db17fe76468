package dev.zerogate.bench;

import dev.zerogate.bench.tunnel.TunnelBench;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalStack;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code ./bench [tokens|policy|login|authorize|tunnel|soak] [options]}: figures, each beside a
 * baseline measured in the same run on the same machine ({@code authorize}: see
 * {@link AuthorizeBench}; {@code tunnel}: see {@link TunnelBench}).
 *
 * <ul>
 *   <li>tokens: access-token verifications per second on one thread with a cached JWKS,
 *   against the raw JDK ECDSA P-256 signature check that every verification contains.</li>
 *   <li>login: round trip of a device login on loopback (start, approve with a password, the
 *   poll that returns the tokens; the person's reading time and the poll interval left out),
 *   against an HTTP round trip to the same server's liveness endpoint.</li>
 * </ul>
 */
public final class Bench {

    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(5);
    private static final int LOGINS = 40;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        // Names first, then options (only `tunnel` takes any): ./bench tunnel --quick
        int firstOption = 0;
        while (firstOption < args.length && !args[firstOption].startsWith("--")) {
            firstOption++;
        }
        List<String> which = firstOption == 0 ? List.of("tokens", "policy", "login", "authorize", "tunnel")
                : List.of(args).subList(0, firstOption);
        List<String> options = List.of(args).subList(firstOption, args.length);
        System.out.printf("zerogate bench on %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(), Runtime.version());
        if (which.contains("tokens")) {
            tokens();
        }
        if (which.contains("policy")) {
            PolicyBench.run();
        }
        if (which.contains("login")) {
            login();
        }
        if (which.contains("authorize")) {
            AuthorizeBench.run();
        }
        if (which.contains("tunnel")) {
            TunnelBench.run(options);
        }
        // Only when asked for by name: it runs for an hour.
        if (which.contains("soak")) {
            dev.zerogate.bench.tunnel.ClientSoak.run(options);
        }
        // The in-process token issuer's HTTP server (authorize) would keep the JVM alive.
        System.exit(0);
    }

    // ---- token verification ------------------------------------------------------------

    static void tokens() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(key.getPublic());
        jwk.setKeyId("bench");
        jwk.setAlgorithm("ES256");
        String jwks = "{\"keys\":[" + jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";
        Instant now = Instant.now();
        String token = Jwt.issuer("https://bench").subject("user-1").audience("zerogate")
                .issuedAt(now).expiresAt(now.plusSeconds(3600)).claim("jti", "t").claim("sid", "s").claim(PrincipalKind.CLAIM, PrincipalKind.USER.claimValue())
                .groups(Set.of("family")).claim("amr", List.of("pwd")).claim("auth_time", now.getEpochSecond())
                .jws().keyId("bench").algorithm(SignatureAlgorithm.ES256).header("typ", "at+jwt").sign(key.getPrivate());
        AccessTokenVerifier verifier = new AccessTokenVerifier("https://bench", "zerogate", Duration.ofSeconds(30));

        String[] parts = token.split("\\.");
        byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        Signature ecdsa = Signature.getInstance("SHA256withECDSAinP1363Format");

        double verifierRate = rate(() -> verifier.verify(token, jwks, Optional.empty()));
        double rawRate = rate(() -> {
            ecdsa.initVerify(key.getPublic());
            ecdsa.update(signingInput);
            if (!ecdsa.verify(signature)) {
                throw new IllegalStateException("signature did not verify");
            }
        });
        System.out.println();
        System.out.println("access-token verification, one thread, JWKS cached");
        System.out.printf("  zerogate AccessTokenVerifier   %,10.0f verifications/s%n", verifierRate);
        System.out.printf("  baseline: JDK ECDSA P-256 only %,10.0f verifications/s%n", rawRate);
        System.out.printf("  ratio                          %10.2f (1.00 = no cost beyond the signature check)%n", verifierRate / rawRate);
    }

    interface Work {
        void run() throws Exception;
    }

    /** Operations per second of {@code work} on this thread, after a warm-up. */
    static double rate(Work work) throws Exception {
        long until = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < until) {
            work.run();
        }
        long count = 0;
        long start = System.nanoTime();
        until = start + MEASURE.toNanos();
        while (System.nanoTime() < until) {
            work.run();
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    // ---- login round trip --------------------------------------------------------------

    static void login() throws Exception {
        Path project = Path.of(System.getProperty("zerogate.project", ".")).toAbsolutePath();
        Path home = Files.createTempDirectory("zerogate-bench-");
        int portBase = freePortBase();
        LocalOptions options = new LocalOptions(project, home, portBase, Duration.ofSeconds(240),
                LocalOptions.currentJava(), LocalOptions.DEFAULT_JVM_OPTIONS);
        System.out.println();
        System.out.println("device login round trip on loopback (identity-svc with PostgreSQL, started for this run)");
        try (LocalStack stack = LocalStack.of(options, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).start()) {
            String server = "http://127.0.0.1:" + (portBase + 1);
            HttpClient http = HttpClient.newHttpClient();
            Matcher link = Pattern.compile("/setup\\?token=([A-Za-z0-9_-]+)").matcher(Files.readString(home.resolve("logs/identity-svc.log")));
            if (!link.find()) {
                throw new IllegalStateException("identity-svc printed no setup link");
            }
            String password = "bench password " + System.nanoTime();
            check(post(http, server + "/setup", Map.of("token", link.group(1), "username", "bench", "password", password, "confirm", password)), 200);

            List<Double> logins = new ArrayList<>();
            List<Double> health = new ArrayList<>();
            for (int i = 0; i < LOGINS + 5; i++) {
                long t0 = System.nanoTime();
                String started = check(post(http, server + "/oauth2/device_authorization", Map.of("client_id", "zerogate-cli")), 200);
                String userCode = field(started, "user_code");
                String deviceCode = field(started, "device_code");
                check(post(http, server + "/device", Map.of("user_code", userCode, "username", "bench", "password", password, "action", "approve")), 200);
                check(post(http, server + "/oauth2/token", Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                        "device_code", deviceCode, "client_id", "zerogate-cli")), 200);
                long t1 = System.nanoTime();
                check(http.send(HttpRequest.newBuilder(URI.create(server + "/q/health/live")).build(), HttpResponse.BodyHandlers.ofString()), 200);
                long t2 = System.nanoTime();
                if (i >= 5) { // the first few warm the JIT and the connection pools
                    logins.add((t1 - t0) / 1e6);
                    health.add((t2 - t1) / 1e6);
                }
            }
            System.out.printf("  device login (3 requests, one Argon2id check)  p50 %7.1f ms   p99 %7.1f ms   (%d logins)%n",
                    percentile(logins, 50), percentile(logins, 99), logins.size());
            System.out.printf("  baseline: GET /q/health/live                    p50 %7.1f ms   p99 %7.1f ms%n",
                    percentile(health, 50), percentile(health, 99));
        } finally {
            deleteRecursively(home);
        }
    }

    static HttpResponse<String> post(HttpClient http, String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String check(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.uri() + " answered " + response.statusCode());
        }
        return response.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in the answer");
        }
        return m.group(1);
    }

    static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static int freePortBase() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20000 + (int) (Math.random() * 20000);
            boolean free = true;
            for (int port = base; port < base + 5 && free; port++) {
                try (var socket = new java.net.ServerSocket()) {
                    socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no free ports");
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
