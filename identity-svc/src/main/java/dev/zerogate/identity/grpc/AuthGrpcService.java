package dev.zerogate.identity.grpc;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.service.DeviceLoginService;
import dev.zerogate.identity.service.OAuthClients;
import dev.zerogate.identity.service.OAuthException;
import dev.zerogate.identity.service.SessionService;
import dev.zerogate.proto.identity.v1.DeviceAuthorizationPending;
import dev.zerogate.proto.identity.v1.PollDeviceAuthorizationRequest;
import dev.zerogate.proto.identity.v1.PollDeviceAuthorizationResponse;
import dev.zerogate.proto.identity.v1.RefreshTokenRequest;
import dev.zerogate.proto.identity.v1.RefreshTokenResponse;
import dev.zerogate.proto.identity.v1.RevokeTokenRequest;
import dev.zerogate.proto.identity.v1.RevokeTokenResponse;
import dev.zerogate.proto.identity.v1.StartDeviceAuthorizationRequest;
import dev.zerogate.proto.identity.v1.StartDeviceAuthorizationResponse;
import dev.zerogate.proto.identity.v1.TokenSet;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.TokenRejectedException;
import io.grpc.Status;
import java.util.Optional;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.zerogate.identity.SigningKey;
import dev.zerogate.identity.service.SigningKeyService;
import dev.zerogate.proto.identity.v1.GetSigningKeysRequest;
import dev.zerogate.proto.identity.v1.GetSigningKeysResponse;
import dev.zerogate.proto.identity.v1.MutinyAuthServiceGrpc;
import dev.zerogate.proto.identity.v1.SigningKeyStatus;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

import java.time.OffsetDateTime;

/**
 * gRPC adapter for `zerogate.identity.v1.AuthService`: proto to domain and back, nothing else.
 * The device login, refresh and revocation are the OAuth endpoints' services behind a gRPC
 * face: OAuth error codes become the status codes the contract lists for each rpc.
 */
@GrpcService
public class AuthGrpcService extends MutinyAuthServiceGrpc.AuthServiceImplBase {

    /** How long a verifier may cache the key set; equals the JWKS endpoint's max-age. */
    static final Duration CACHE_TTL = Duration.newBuilder().setSeconds(300).build();

    static final String SOURCE = "grpc";

    private final SigningKeyService signingKeys;
    private final OAuthClients clients;
    private final DeviceLoginService deviceLogins;
    private final SessionService sessions;
    private final AccessTokenVerifier verifier;
    private final IdentityConfig config;

    AuthGrpcService(SigningKeyService signingKeys, OAuthClients clients, DeviceLoginService deviceLogins, SessionService sessions,
                    AccessTokenVerifier verifier, IdentityConfig config) {
        this.signingKeys = signingKeys;
        this.clients = clients;
        this.deviceLogins = deviceLogins;
        this.sessions = sessions;
        this.verifier = verifier;
        this.config = config;
    }

    @Override
    public Uni<StartDeviceAuthorizationResponse> startDeviceAuthorization(StartDeviceAuthorizationRequest request) {
        try {
            clients.requireGrant(request.getClientId(), OAuthClients.DEVICE_CODE_GRANT);
            if (request.getDevicePublicKey().size() > 1024) {
                throw Status.INVALID_ARGUMENT.withDescription("device_public_key is larger than 1024 bytes").asRuntimeException();
            }
            Optional<String> thumbprint = request.getDevicePublicKey().isEmpty() ? Optional.empty()
                    : Optional.of(thumbprint(request.getDevicePublicKey().toByteArray()));
            if (OAuthClients.CLI.equals(request.getClientId()) && thumbprint.isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("device_public_key is required for zerogate-cli").asRuntimeException();
            }
            String verificationUri = config.issuer() + "/device";
            return deviceLogins.start(request.getClientId(), thumbprint).map(started -> StartDeviceAuthorizationResponse.newBuilder()
                            .setDeviceCode(started.deviceCode())
                            .setUserCode(started.userCode())
                            .setVerificationUri(verificationUri)
                            .setVerificationUriComplete(verificationUri + "?user_code="
                                    + java.net.URLEncoder.encode(started.userCode(), java.nio.charset.StandardCharsets.UTF_8))
                            .setExpiresIn(Duration.newBuilder().setSeconds(started.expiresIn()))
                            .setInterval(Duration.newBuilder().setSeconds(started.interval()))
                            .build())
                    .onFailure().transform(AuthGrpcService::status);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(status(e));
        }
    }

    @Override
    public Uni<PollDeviceAuthorizationResponse> pollDeviceAuthorization(PollDeviceAuthorizationRequest request) {
        if (request.getClientId().isEmpty() || request.getDeviceCode().isEmpty()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("client_id and device_code are required").asRuntimeException());
        }
        return deviceLogins.poll(request.getDeviceCode(), request.getClientId(), SOURCE)
                .map(tokens -> PollDeviceAuthorizationResponse.newBuilder().setTokens(tokenSet(tokens)).build())
                .onFailure(OAuthException.class).recoverWithUni(e -> {
                    OAuthException oauth = (OAuthException) e;
                    if ("authorization_pending".equals(oauth.error()) || "slow_down".equals(oauth.error())) {
                        boolean slowDown = "slow_down".equals(oauth.error());
                        return Uni.createFrom().item(PollDeviceAuthorizationResponse.newBuilder().setPending(DeviceAuthorizationPending
                                .newBuilder().setSlowDown(slowDown)).build());
                    }
                    if ("invalid_grant".equals(oauth.error()) || "expired_token".equals(oauth.error())) {
                        // RFC 8628's expired_token / invalid_grant: unknown, expired or redeemed: start again.
                        return Uni.createFrom().failure(Status.NOT_FOUND.withDescription(oauth.getMessage()).asRuntimeException());
                    }
                    return Uni.createFrom().failure(status(e));
                })
                .onFailure().transform(AuthGrpcService::status);
    }

    @Override
    public Uni<RefreshTokenResponse> refreshToken(RefreshTokenRequest request) {
        if (request.getClientId().isEmpty() || request.getRefreshToken().isEmpty()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("client_id and refresh_token are required").asRuntimeException());
        }
        return sessions.refresh(request.getRefreshToken(), request.getClientId(), SOURCE)
                .map(tokens -> RefreshTokenResponse.newBuilder().setTokens(tokenSet(tokens)).build())
                .onFailure().transform(AuthGrpcService::status);
    }

    @Override
    public Uni<RevokeTokenResponse> revokeToken(RevokeTokenRequest request) {
        if (request.getToken().isEmpty()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("token is required").asRuntimeException());
        }
        Uni<Void> revoked;
        if (request.getToken().indexOf('.') < 0) {
            revoked = sessions.revokeByRefreshToken(request.getToken(), request.getClientId(), SOURCE);
        } else {
            try {
                // Key binding is not checked: whoever holds a token may end its session (RFC 7009).
                var access = verifier.verifyIgnoringKeyBinding(request.getToken(), signingKeys.cachedKeySet().jwksJson());
                revoked = sessions.revokeSession(java.util.UUID.fromString(access.sessionId()), request.getClientId(), SOURCE);
            } catch (TokenRejectedException | IllegalArgumentException e) {
                revoked = Uni.createFrom().voidItem();
            }
        }
        return revoked.replaceWith(RevokeTokenResponse.getDefaultInstance()).onFailure().transform(AuthGrpcService::status);
    }

    private TokenSet tokenSet(dev.zerogate.identity.TokenSet tokens) {
        java.time.Instant now = java.time.Instant.now();
        return TokenSet.newBuilder()
                .setAccessToken(tokens.accessToken())
                .setTokenType("Bearer")
                .setAccessTokenExpiresAt(ProtoMapping.timestamp(now.plusSeconds(tokens.expiresIn())))
                .setRefreshToken(tokens.refreshToken())
                .setRefreshTokenExpiresAt(ProtoMapping.timestamp(tokens.refreshTokenExpiresAt()))
                .addScopes("openid").addScopes("offline_access")
                .setSessionId(tokens.sessionId().toString())
                .build();
    }

    /** RFC 7638 thumbprint of a DER SubjectPublicKeyInfo (ECDSA P-256 or Ed25519). */
    private static String thumbprint(byte[] der) {
        for (String algorithm : new String[] {"EC", "Ed25519"}) {
            try {
                java.security.PublicKey key = java.security.KeyFactory.getInstance(algorithm)
                        .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
                return org.jose4j.jwk.PublicJsonWebKey.Factory.newPublicJwk(key).calculateBase64urlEncodedThumbprint("SHA-256");
            } catch (java.security.GeneralSecurityException | org.jose4j.lang.JoseException | RuntimeException e) {
                // try the next algorithm
            }
        }
        throw Status.INVALID_ARGUMENT.withDescription("device_public_key is not a DER ECDSA P-256 or Ed25519 public key").asRuntimeException();
    }

    /** OAuth errors as the contract's status codes for AuthService. */
    static Throwable status(Throwable failure) {
        if (failure instanceof OAuthException e) {
            Status status = switch (e.error()) {
                case "invalid_grant", "invalid_token" -> Status.UNAUTHENTICATED;
                case "expired_token" -> Status.NOT_FOUND;
                case "access_denied", "unauthorized_client" -> Status.PERMISSION_DENIED;
                default -> Status.INVALID_ARGUMENT;
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        return GrpcErrors.toStatus(failure);
    }

    @Override
    public Uni<GetSigningKeysResponse> getSigningKeys(GetSigningKeysRequest request) {
        return signingKeys.keySet().map(keys -> {
            GetSigningKeysResponse.Builder response = GetSigningKeysResponse.newBuilder()
                    .setJwksJson(keys.jwksJson())
                    .setCacheTtl(CACHE_TTL);
            for (SigningKey key : keys.published()) {
                var proto = dev.zerogate.proto.identity.v1.SigningKey.newBuilder()
                        .setKid(key.kid)
                        .setAlg(key.alg)
                        .setStatus(key.status == SigningKey.Status.ACTIVE
                                ? SigningKeyStatus.SIGNING_KEY_STATUS_ACTIVE
                                : SigningKeyStatus.SIGNING_KEY_STATUS_RETIRED)
                        .setCreatedAt(timestamp(key.createdAt));
                if (key.notAfter != null) {
                    proto.setNotAfter(timestamp(key.notAfter));
                }
                response.addKeys(proto);
            }
            return response.build();
        });
    }

    private static Timestamp timestamp(OffsetDateTime time) {
        return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
    }
}
