package dev.zerogate.testkit.identity;

import com.google.protobuf.Duration;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.ConnectorStateServiceGrpc;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysResponse;
import dev.zerogate.proto.policy.v1.ReportConnectorsRequest;
import dev.zerogate.proto.policy.v1.ReportConnectorsResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Access grants for tests of relays and connectors: signed like policy-svc's (ES256,
 * {@code typ zg-grant+jwt}, issuer {@value #ISSUER}), with the keys served by a real gRPC
 * server on loopback answering {@code AuthorizationService.GetGrantSigningKeys} as policy-svc
 * does. The decision itself is policy-svc's job and tested there. The same server takes relays'
 * {@code ConnectorStateService.ReportConnectors} and records them ({@link #reports()}).
 */
public final class TestGrants implements AutoCloseable {

    public static final String ISSUER = "zerogate-policy";
    private static TestGrants instance;

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> PRESENTED = Context.key("authorization");

    /** A report as received, with the {@code authorization} metadata it came with. */
    public record Report(String authorization, ReportConnectorsRequest request) {}

    private final EllipticCurveJsonWebKey key;
    private final Server server;
    private final BlockingQueue<Report> reports = new LinkedBlockingQueue<>();
    private final Queue<Status> reportFailures = new ConcurrentLinkedQueue<>();

    private TestGrants() {
        try {
            key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId("grant-" + UUID.randomUUID().toString().substring(0, 8));
            key.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
        String jwks = new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .addService(new AuthorizationServiceGrpc.AuthorizationServiceImplBase() {
                        @Override
                        public void getGrantSigningKeys(GetGrantSigningKeysRequest request,
                                                        StreamObserver<GetGrantSigningKeysResponse> responses) {
                            responses.onNext(GetGrantSigningKeysResponse.newBuilder().setJwksJson(jwks)
                                    .setCacheTtl(Duration.newBuilder().setSeconds(300)).build());
                            responses.onCompleted();
                        }
                    })
                    .addService(ServerInterceptors.intercept(new ConnectorStateServiceGrpc.ConnectorStateServiceImplBase() {
                        @Override
                        public void reportConnectors(ReportConnectorsRequest request, StreamObserver<ReportConnectorsResponse> responses) {
                            reports.add(new Report(PRESENTED.get(), request));
                            Status failure = reportFailures.poll();
                            if (failure != null) {
                                responses.onError(failure.asRuntimeException());
                                return;
                            }
                            responses.onNext(ReportConnectorsResponse.getDefaultInstance());
                            responses.onCompleted();
                        }
                    }, new ServerInterceptor() {
                        @Override
                        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                            String presented = headers.get(AUTHORIZATION);
                            return Contexts.interceptCall(Context.current().withValue(PRESENTED, presented == null ? "" : presented),
                                    call, headers, next);
                        }
                    }))
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one instance of this JVM, started on first use. */
    public static synchronized TestGrants instance() {
        if (instance == null) {
            instance = new TestGrants();
        }
        return instance;
    }

    /** Relays' reports in arrival order (every one, answered or failed); a test takes them. */
    public BlockingQueue<Report> reports() {
        return reports;
    }

    /** The next reports are refused with these statuses, one each, in order. */
    public void failNextReports(Status... statuses) {
        reportFailures.addAll(List.of(statuses));
    }

    /** Where the keys are served, as the URL a service is configured with for policy-svc. */
    public String policyUrl() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** What a grant says. */
    public record Grant(String subject, String networkId, String resourceId, String destination, int port,
                        String deviceId, String keyThumbprint, Instant expiresAt, String ruleId) {

        public Grant(String subject, String networkId, String resourceId, String destination, int port,
                     String deviceId, String keyThumbprint, Instant expiresAt) {
            this(subject, networkId, resourceId, destination, port, deviceId, keyThumbprint, expiresAt, UUID.randomUUID().toString());
        }

        public Grant withExpiry(Instant value) {
            return new Grant(subject, networkId, resourceId, destination, port, deviceId, keyThumbprint, value, ruleId);
        }

        public Grant withDestination(String value, int newPort) {
            return new Grant(subject, networkId, resourceId, value, newPort, deviceId, keyThumbprint, expiresAt, ruleId);
        }

        public Grant withKeyThumbprint(String value) {
            return new Grant(subject, networkId, resourceId, destination, port, deviceId, value, expiresAt, ruleId);
        }

        public Grant withResource(String value) {
            return new Grant(subject, networkId, value, destination, port, deviceId, keyThumbprint, expiresAt, ruleId);
        }
    }

    /** A signed grant. */
    public String sign(Grant grant) {
        JwtClaims claims = new JwtClaims();
        Instant issuedAt = grant.expiresAt().minusSeconds(240);
        claims.setIssuer(ISSUER);
        claims.setAudience(List.of("zerogate-relay", "zerogate-connector"));
        claims.setSubject(grant.subject());
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAt.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(grant.expiresAt().getEpochSecond()));
        claims.setClaim("sid", UUID.randomUUID().toString());
        claims.setClaim("zg_net", grant.networkId());
        claims.setClaim("zg_res", grant.resourceId());
        claims.setClaim("zg_rule", grant.ruleId());
        claims.setClaim("zg_dst", grant.destination());
        claims.setClaim("zg_proto", "tcp");
        claims.setClaim("zg_port", grant.port());
        claims.setClaim("zg_dev", grant.deviceId());
        claims.setClaim("cnf", Map.of("jkt", grant.keyThumbprint()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setHeader("typ", "zg-grant+jwt");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Quarkus test resource pointing relay-svc (and connector-svc) at the grant keys. */
    public static final class Resource implements io.quarkus.test.common.QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("zerogate.relay.policy-url", instance().policyUrl());
        }

        @Override
        public void stop() {
            // Shared by the JVM's test classes.
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
