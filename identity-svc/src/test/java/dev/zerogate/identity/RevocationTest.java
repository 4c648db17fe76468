package dev.zerogate.identity;

import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.AccountServiceGrpc;
import dev.zerogate.proto.identity.v1.IdentityEventsServiceGrpc;
import dev.zerogate.proto.identity.v1.RevocationEvent;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.WatchRevocationsRequest;
import dev.zerogate.proto.identity.v1.WatchRevocationsResponse;
import dev.zerogate.testkit.GrpcProbe;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Revocations: a revoked session's access token is refused by identity-svc from then on, and
 * the revocation log streams to subscribers (replay from a sequence, then live), for service
 * accounts and admins only.
 */
@QuarkusTest
@IdentityDatabase
class RevocationTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    JsonPath loginAs(boolean admin) {
        String username = (admin ? "root-" : "dan-") + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), admin));
        return TestLogins.deviceLogin(username, PASSWORD);
    }

    /** The {@code sid} of an access token (read without verification: the test issued it). */
    static String sessionOf(String accessToken) throws Exception {
        return com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(java.util.Base64.getUrlDecoder().decode(accessToken.split("\\.")[1])).get("sid").asText();
    }

    @Test
    void aRevokedSessionsAccessTokenIsRefusedFromThenOn() throws Exception {
        JsonPath tokens = loginAs(false);
        String access = tokens.getString("access_token");
        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            var account = TestLogins.withBearer(AccountServiceGrpc.newBlockingStub(probe.channel()), access);
            account.startTotpEnrollment(StartTotpEnrollmentRequest.getDefaultInstance());

            TestLogins.revoke(tokens.getString("refresh_token"));

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> account.startTotpEnrollment(StartTotpEnrollmentRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("revoked"), refused.getStatus().getDescription());
        }
    }

    @Test
    void theStreamIsForAdminsAndServiceAccountsOnly() throws Exception {
        String user = loginAs(false).getString("access_token");
        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            var events = TestLogins.withBearer(IdentityEventsServiceGrpc.newBlockingStub(probe.channel()), user);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> events.watchRevocations(WatchRevocationsRequest.getDefaultInstance()).hasNext());
            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class, () -> IdentityEventsServiceGrpc
                    .newBlockingStub(probe.channel()).watchRevocations(WatchRevocationsRequest.getDefaultInstance()).hasNext());
            assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
        }
    }

    @Test
    void theStreamReplaysFromASequenceThenDeliversNewRevocationsLive() throws Exception {
        String admin = loginAs(true).getString("access_token");
        JsonPath first = loginAs(false);
        TestLogins.revoke(first.getString("refresh_token"));
        String firstSession = sessionOf(first.getString("access_token"));

        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            var events = TestLogins.withBearer(IdentityEventsServiceGrpc.newBlockingStub(probe.channel()), admin)
                    .withDeadlineAfter(20, java.util.concurrent.TimeUnit.SECONDS);
            // Replay from the beginning: the first session's revocation is in it.
            long firstSequence = -1;
            Context.CancellableContext call = Context.current().withCancellation();
            try {
                Iterator<WatchRevocationsResponse> replay = call.call(() -> events.watchRevocations(WatchRevocationsRequest.getDefaultInstance()));
                long previous = 0;
                while (firstSequence < 0) {
                    RevocationEvent event = replay.next().getRevocation();
                    assertTrue(event.getSequence() > previous, "sequences increase");
                    previous = event.getSequence();
                    if (event.getSessionId().equals(firstSession)) {
                        firstSequence = event.getSequence();
                        assertEquals("LOGOUT", event.getReason());
                    }
                }
            } finally {
                call.cancel(null);
            }

            // Resume after it, then revoke a second session while subscribed: it arrives live.
            JsonPath second = loginAs(false);
            String secondSession = sessionOf(second.getString("access_token"));
            Iterator<WatchRevocationsResponse> live = events.watchRevocations(
                    WatchRevocationsRequest.newBuilder().setAfterSequence(firstSequence).build());
            TestLogins.revoke(second.getString("refresh_token"));
            boolean seen = false;
            while (!seen) {
                RevocationEvent event = live.next().getRevocation();
                assertFalse(event.getSessionId().equals(firstSession), "nothing at or before the resume point is sent again");
                assertTrue(event.getSequence() > firstSequence);
                seen = event.getSessionId().equals(secondSession);
            }
        }
    }

    @Test
    void resumingBeyondTheNewestSequenceIsInvalid() throws Exception {
        String admin = loginAs(true).getString("access_token");
        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            var events = TestLogins.withBearer(IdentityEventsServiceGrpc.newBlockingStub(probe.channel()), admin);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> events.watchRevocations(
                    WatchRevocationsRequest.newBuilder().setAfterSequence(Long.MAX_VALUE / 2).build()).hasNext());
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        }
    }
}
