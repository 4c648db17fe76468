package dev.zerogate.relay.service;

import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.tunnel.v1.ClientJoin;
import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;
import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.GrantRejectedException;
import dev.zerogate.servicekit.grant.RemoteGrantVerifier;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import dev.zerogate.servicekit.token.RemoteKeySetVerifier;
import dev.zerogate.tunnel.KeyThumbprints;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.TunnelProtocol;
import io.grpc.ManagedChannel;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a client's preamble may be paired: a fresh, unreplayed preamble; a grant
 * signed by policy-svc for relays; a device key whose thumbprint is the grant's {@code cnf.jkt}
 * and that signed this very connection's proof. Fails closed: no grant keys, no pairing.
 */
@ApplicationScoped
public class ClientAdmission {

    private static final int MAX_DEVICE_KEY_BYTES = 512;
    private static final int MAX_PROOF_BYTES = 128;
    private static final int MAX_REMEMBERED_PREAMBLES = 200_000;

    private final RemoteGrantVerifier grants;
    private final ManagedChannel policy;
    private final Clock clock;
    /** Encapsulated keys of recent preambles (base64) until they would be too old anyway: replays are refused. */
    private final Map<String, Instant> recentPreambles = new ConcurrentHashMap<>();

    ClientAdmission(RelayConfig config, ControlPlaneTrust trust, Clock clock) {
        this.clock = clock;
        this.policy = GrpcChannels.forUrl(config.policyUrl(), trust);
        AuthorizationServiceGrpc.AuthorizationServiceFutureStub stub = AuthorizationServiceGrpc.newFutureStub(policy);
        this.grants = new RemoteGrantVerifier(
                new AccessGrantVerifier(config.grantIssuer(), GrantClaims.RELAY_AUDIENCE,
                        AccessGrantVerifier.DEFAULT_CLOCK_SKEW, clock),
                () -> GrpcChannels.toStage(stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                                .getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance()))
                        .thenApply(response -> new RemoteKeySetVerifier.KeySet(response.getJwksJson(),
                                Duration.ofSeconds(Math.max(30, response.getCacheTtl().getSeconds()))))
                        .whenComplete((keys, failure) -> {
                            if (failure != null) {
                                Log.warnf("fetching policy-svc's grant keys failed: %s", failure.toString());
                            }
                        }),
                clock);
    }

    @PreDestroy
    void close() {
        policy.shutdownNow();
    }

    /** The verified grant, or a {@link RelayRefusal}. */
    public CompletionStage<VerifiedGrant> admit(Preambles.Opened opened, long sentAtUnixMs, ClientJoin join) {
        try {
            checkFreshness(opened, sentAtUnixMs);
        } catch (RelayRefusal refusal) {
            return CompletableFuture.failedFuture(refusal);
        }
        return grants.verify(join.getGrant()).handle((grant, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                String why = cause instanceof GrantRejectedException rejected ? rejected.getMessage() : "the grant could not be checked";
                throw new CompletionException(new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED,
                        "grant_invalid", why));
            }
            try {
                checkProof(opened, sentAtUnixMs, join, grant);
            } catch (RelayRefusal refusal) {
                throw new CompletionException(refusal);
            }
            return grant;
        });
    }

    private void checkFreshness(Preambles.Opened opened, long sentAtUnixMs) throws RelayRefusal {
        Instant now = clock.instant();
        Instant sentAt = Instant.ofEpochMilli(sentAtUnixMs);
        Duration maxAge = Duration.ofSeconds(TunnelProtocol.PREAMBLE_MAX_AGE_SECONDS);
        if (sentAt.isBefore(now.minus(maxAge)) || sentAt.isAfter(now.plus(maxAge))) {
            throw new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "preamble_stale",
                    "the preamble's time is more than " + maxAge.toSeconds() + " s from the relay's clock");
        }
        if (recentPreambles.size() > MAX_REMEMBERED_PREAMBLES) {
            recentPreambles.values().removeIf(expiry -> expiry.isBefore(now));
        }
        String key = Base64.getEncoder().encodeToString(opened.encapsulatedKey());
        if (recentPreambles.putIfAbsent(key, sentAt.plus(maxAge)) != null) {
            throw new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "preamble_replayed",
                    "this preamble was used before");
        }
    }

    private static void checkProof(Preambles.Opened opened, long sentAtUnixMs, ClientJoin join, VerifiedGrant grant)
            throws RelayRefusal {
        if (join.getDevicePublicKey().size() > MAX_DEVICE_KEY_BYTES || join.getProof().size() > MAX_PROOF_BYTES) {
            throw new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "proof_invalid", "the device key or proof is too long");
        }
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(join.getDevicePublicKey().toByteArray()));
            if (!KeyThumbprints.of(key).equals(grant.keyThumbprint())) {
                throw new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "proof_invalid",
                        "the grant is bound to another device key");
            }
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(Preambles.proofInput(opened.keyId(), opened.encapsulatedKey(), sentAtUnixMs));
            if (!verifier.verify(join.getProof().toByteArray())) {
                throw new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "proof_invalid",
                        "the device key did not sign this connection");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new RelayRefusal(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "proof_invalid",
                    "the device key or proof is malformed");
        }
    }
}
