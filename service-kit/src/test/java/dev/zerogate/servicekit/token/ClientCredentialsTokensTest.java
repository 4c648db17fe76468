package dev.zerogate.servicekit.token;

import com.sun.net.httpserver.HttpServer;
import dev.zerogate.servicekit.token.ClientCredentialsTokens.Issued;
import dev.zerogate.servicekit.StepClock;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A service's own token by client credentials: cached, refreshed before expiry, one sign-in for concurrent callers. */
class ClientCredentialsTokensTest {

    final StepClock clock = new StepClock(Instant.now());
    final AtomicInteger signIns = new AtomicInteger();
    /** Each sign-in takes the next of these; a null entry fails. */
    final List<CompletableFuture<Issued>> answers = new ArrayList<>();

    final Supplier<CompletionStage<Issued>> signIn = () -> {
        int n = signIns.getAndIncrement();
        return n < answers.size() ? answers.get(n) : CompletableFuture.completedFuture(new Issued("token-" + n, Duration.ofMinutes(15)));
    };

    static String await(Uni<String> token) {
        return token.await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void reusesTheTokenUntilAMinuteBeforeItExpiresThenSignsInAgain() {
        ClientCredentialsTokens tokens = new ClientCredentialsTokens(signIn, clock);
        assertEquals("token-0", await(tokens.accessToken()));
        clock.now = clock.now.plus(Duration.ofMinutes(13));
        assertEquals("token-0", await(tokens.accessToken()));
        assertEquals(1, signIns.get());
        clock.now = clock.now.plus(Duration.ofSeconds(61));
        assertEquals("token-1", await(tokens.accessToken()), "within a minute of expiry: a fresh token");
        assertEquals(2, signIns.get());
    }

    @Test
    void aShortLivedTokenIsRefreshedAtHalfItsLifetime() {
        answers.add(CompletableFuture.completedFuture(new Issued("short", Duration.ofSeconds(60))));
        ClientCredentialsTokens tokens = new ClientCredentialsTokens(signIn, clock);
        assertEquals("short", await(tokens.accessToken()));
        clock.now = clock.now.plusSeconds(29);
        assertEquals("short", await(tokens.accessToken()));
        clock.now = clock.now.plusSeconds(2);
        assertEquals("token-1", await(tokens.accessToken()));
    }

    @Test
    void concurrentCallersShareOneSignIn() {
        CompletableFuture<Issued> slow = new CompletableFuture<>();
        answers.add(slow);
        ClientCredentialsTokens tokens = new ClientCredentialsTokens(signIn, clock);
        CompletableFuture<String> first = tokens.accessToken().subscribeAsCompletionStage();
        CompletableFuture<String> second = tokens.accessToken().subscribeAsCompletionStage();
        assertFalse(first.isDone());
        slow.complete(new Issued("shared", Duration.ofMinutes(15)));
        assertEquals("shared", first.join());
        assertEquals("shared", second.join());
        assertEquals(1, signIns.get());
    }

    @Test
    void aFailedSignInIsNotCachedAndForgetSignsInAgain() {
        answers.add(CompletableFuture.failedFuture(new IllegalStateException("identity-svc refused test's client credentials (HTTP 401)")));
        ClientCredentialsTokens tokens = new ClientCredentialsTokens(signIn, clock);
        assertThrows(IllegalStateException.class, () -> await(tokens.accessToken()));
        assertEquals("token-1", await(tokens.accessToken()), "the next call tries again");
        tokens.forget();
        assertEquals("token-2", await(tokens.accessToken()), "a forgotten token is replaced");
    }

    @Test
    void signsInAtTheTokenEndpointWithBasicCredentialsAndNeverRepeatsTheSecret() throws Exception {
        List<String> seen = new ArrayList<>();
        AtomicInteger status = new AtomicInteger(200);
        HttpServer identity = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        identity.createContext("/oauth2/token", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = (status.get() == 200 ? "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":900}"
                    : "{\"error\":\"invalid_client\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        identity.start();
        Vertx vertx = Vertx.vertx();
        try {
            String url = "http://127.0.0.1:" + identity.getAddress().getPort() + "/";
            ClientCredentialsTokens tokens = ClientCredentialsTokens.atTokenEndpoint(vertx, url, "key-id", "zgsk_secret", "test-svc", clock);
            assertEquals("at-1", await(tokens.accessToken()));
            String basic = Base64.getEncoder().encodeToString("key-id:zgsk_secret".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("POST Basic " + basic + " grant_type=client_credentials"), seen);

            status.set(401);
            tokens.forget();
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> await(tokens.accessToken()));
            assertTrue(refused.getMessage().contains("test-svc") && refused.getMessage().contains("401"), refused.getMessage());
            assertFalse(refused.getMessage().contains("zgsk_secret"));
        } finally {
            vertx.closeAndAwait();
            identity.stop(0);
        }
    }
}
