package dev.zerogate.identity.grpc;

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
 * gRPC adapter for `zerogate.identity.v1.AuthService`: the JWKS of {@code /oauth2/jwks}, the
 * same bytes, for a client that holds only a gRPC channel to identity-svc. Logins, refreshes
 * and revocations are the OAuth HTTP endpoints' alone (ADR 0015).
 */
@GrpcService
public class AuthGrpcService extends MutinyAuthServiceGrpc.AuthServiceImplBase {

    /** How long a verifier may cache the key set; equals the JWKS endpoint's max-age. */
    static final Duration CACHE_TTL = Duration.newBuilder().setSeconds(300).build();

    private final SigningKeyService signingKeys;

    AuthGrpcService(SigningKeyService signingKeys) {
        this.signingKeys = signingKeys;
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
                        .setStatus(status(key.status))
                        .setCreatedAt(timestamp(key.createdAt));
                if (key.notAfter != null) {
                    proto.setNotAfter(timestamp(key.notAfter));
                }
                response.addKeys(proto);
            }
            return response.build();
        });
    }

    /** Exhaustive: a status added to the domain does not compile until it is mapped here. */
    static SigningKeyStatus status(SigningKey.Status status) {
        return switch (status) {
            case ACTIVE -> SigningKeyStatus.SIGNING_KEY_STATUS_ACTIVE;
            case RETIRED -> SigningKeyStatus.SIGNING_KEY_STATUS_RETIRED;
        };
    }

    private static Timestamp timestamp(OffsetDateTime time) {
        return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
    }
}
