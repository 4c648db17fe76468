package dev.zerogate.relay.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.zerogate.proto.relay.v1.ConnectorMessage;
import dev.zerogate.proto.relay.v1.Hello;
import dev.zerogate.proto.relay.v1.HeartbeatAck;
import dev.zerogate.proto.relay.v1.RelayControlServiceGrpc;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.proto.relay.v1.SessionLimits;
import dev.zerogate.proto.relay.v1.Welcome;
import dev.zerogate.relay.RelayIdentity;
import dev.zerogate.relay.RelayKeys;
import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.relay.data.PublicPort;
import dev.zerogate.relay.service.ConnectorAuthenticator;
import dev.zerogate.relay.service.ConnectorRegistry;
import dev.zerogate.relay.service.ConnectorRegistry.Registration;
import dev.zerogate.relay.service.RelayMetrics;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import dev.zerogate.tunnel.TunnelProtocol;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * gRPC adapter for `zerogate.relay.v1.RelayControlService`: connectors register, heartbeat
 * and answer flow requests; the lifecycle and status codes are the contract's.
 *
 * <p>The connector's TLS client certificate is not checked here: the control port may be
 * plaintext behind a TLS terminator. The token is the credential; the certificate is checked
 * end to end by every client instead.
 */
@GrpcService
public class RelayControlGrpcService extends RelayControlServiceGrpc.RelayControlServiceImplBase {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final long HELLO_TIMEOUT_MILLIS = 10_000;

    private final ConnectorAuthenticator authenticator;
    private final ConnectorRegistry registry;
    private final PublicPort publicPort;
    private final RelayKeys keys;
    private final RelayIdentity identity;
    private final RelayConfig config;
    private final RelayMetrics metrics;
    private final Clock clock;
    private final Vertx vertx;

    RelayControlGrpcService(ConnectorAuthenticator authenticator, ConnectorRegistry registry, PublicPort publicPort,
                            RelayKeys keys, RelayIdentity identity, RelayConfig config, RelayMetrics metrics,
                            Clock clock, Vertx vertx) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.publicPort = publicPort;
        this.keys = keys;
        this.identity = identity;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.vertx = vertx;
    }

    @Override
    public StreamObserver<ConnectorMessage> connect(StreamObserver<RelayMessage> responses) {
        String token = BearerInterceptor.BEARER_TOKEN.get();
        return new ControlStream((ServerCallStreamObserver<RelayMessage>) responses, token);
    }

    /** One connector's stream. gRPC delivers its messages one at a time. */
    private final class ControlStream implements StreamObserver<ConnectorMessage> {
        private final ServerCallStreamObserver<RelayMessage> out;
        private final java.util.concurrent.CompletableFuture<VerifiedAccessToken> caller;
        private final long helloTimer;
        private volatile Registration registration;
        private volatile boolean helloSeen;
        private long lastSequence;
        private long watchdog = -1;

        ControlStream(ServerCallStreamObserver<RelayMessage> out, String token) {
            this.out = out;
            this.caller = token.isEmpty()
                    ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalArgumentException("no token"))
                    : authenticator.verify(token).toCompletableFuture();
            this.helloTimer = vertx.setTimer(HELLO_TIMEOUT_MILLIS, id -> {
                if (!helloSeen) {
                    fail(Status.FAILED_PRECONDITION.withDescription("no Hello within 10 seconds"));
                }
            });
            out.setOnCancelHandler(this::ended);
        }

        @Override
        public void onNext(ConnectorMessage message) {
            if (!helloSeen) {
                helloSeen = true;
                vertx.cancelTimer(helloTimer);
                if (message.getKindCase() != ConnectorMessage.KindCase.HELLO) {
                    fail(Status.FAILED_PRECONDITION.withDescription("the first message must be Hello"));
                    return;
                }
                Hello hello = message.getHello();
                caller.whenComplete((verified, failure) -> {
                    if (failure != null) {
                        metrics.refused("connector_unauthenticated");
                        fail(Status.UNAUTHENTICATED.withDescription("missing, invalid or expired connector token"));
                    } else {
                        welcome(hello, verified);
                    }
                });
                return;
            }
            switch (message.getKindCase()) {
                case HELLO -> fail(Status.FAILED_PRECONDITION.withDescription("a second Hello"));
                case HEARTBEAT -> heartbeat(message);
                case FLOW_ACCEPTED -> { }
                case FLOW_REJECTED -> publicPort.rejected(message.getFlowRejected().getFlowId(),
                        message.getFlowRejected().getReason(), message.getFlowRejected().getMessage());
                case DRAIN_ACK -> {
                    Registration current = registration;
                    if (current != null) {
                        Log.infof("connector %s acknowledged the drain with %d flows open", current.connectorId,
                                message.getDrainAck().getActiveFlowCount());
                    }
                }
                default -> fail(Status.INVALID_ARGUMENT.withDescription("an empty message"));
            }
        }

        private void welcome(Hello hello, VerifiedAccessToken verified) {
            if (!hello.getConnectorId().equals(verified.subject())
                    || !hello.getRemoteNetworkId().equals(verified.networkId().orElse(""))) {
                fail(Status.PERMISSION_DENIED.withDescription("Hello names another connector or network than the token"));
                return;
            }
            if (!UUID.matcher(hello.getConnectorId()).matches() || hello.getVersion().isEmpty()
                    || hello.getVersion().length() > 64 || hello.getLabelsCount() > 32) {
                fail(Status.INVALID_ARGUMENT.withDescription("Hello fields out of range"));
                return;
            }
            if (!hello.getSupportedProtocolVersionsList().contains(TunnelProtocol.VERSION)) {
                fail(Status.FAILED_PRECONDITION.withDescription("no tunnel protocol version in common; this relay speaks "
                        + TunnelProtocol.VERSION));
                return;
            }
            if (registry.isClosedToConnectors()) {
                fail(Status.UNAVAILABLE.withDescription("this relay is shutting down: register with another relay"));
                return;
            }
            if (registry.count() >= config.limits().maxConnectors() && registry.byId(hello.getConnectorId()).isEmpty()) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription("this relay serves its maximum number of connectors"));
                return;
            }
            Registration fresh = new Registration(hello.getConnectorId(), hello.getRemoteNetworkId(), hello.getVersion(),
                    hello.getLabelsMap(), out, clock.instant());
            registration = fresh;
            registry.register(fresh).ifPresent(previous ->
                    previous.end(Status.ABORTED.withDescription("replaced by a newer stream of the same connector").asRuntimeException()));
            long interval = config.limits().heartbeatInterval().toSeconds();
            long offlineAfter = ConnectorRegistry.offlineAfter(config.limits().heartbeatInterval()).toSeconds();
            Instant now = clock.instant();
            fresh.send(RelayMessage.newBuilder().setWelcome(Welcome.newBuilder()
                    .setRelayId(identity.id())
                    .setHeartbeatInterval(Duration.newBuilder().setSeconds(interval))
                    .setOfflineAfter(Duration.newBuilder().setSeconds(offlineAfter))
                    .setNegotiatedProtocolVersion(TunnelProtocol.VERSION)
                    .setLimits(SessionLimits.newBuilder()
                            .setMaxSessions(config.limits().maxSessionsPerSubject())
                            .setSessionIdleTimeout(Duration.newBuilder().setSeconds(config.limits().sessionIdleTimeout().toSeconds()))
                            .setMaxFramePayloadBytes(TunnelProtocol.MAX_FRAME_PAYLOAD)
                            .setFlowAnswerTimeout(Duration.newBuilder().setSeconds(config.limits().joinTimeout().toSeconds())))
                    .setPreambleKey(ByteString.copyFrom(java.util.Base64.getUrlDecoder().decode(keys.key().publicText())))
                    .setServerTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano())))
                    .build());
            Log.infof("connector %s of network %s registered (version %s)", hello.getConnectorId(),
                    hello.getRemoteNetworkId(), hello.getVersion());
            watchdog = vertx.setPeriodic(interval * 1000, id -> {
                Registration current = registration;
                if (current != null && current.lastHeartbeat.plusSeconds(offlineAfter).isBefore(clock.instant())) {
                    fail(Status.UNAVAILABLE.withDescription("no heartbeat for " + offlineAfter + " seconds"));
                }
            });
        }

        private void heartbeat(ConnectorMessage message) {
            Registration current = registration;
            if (current == null) {
                return; // Hello still being verified
            }
            long sequence = message.getHeartbeat().getSequence();
            if (sequence <= lastSequence) {
                fail(Status.INVALID_ARGUMENT.withDescription("heartbeat sequence " + sequence + " does not increase"));
                return;
            }
            lastSequence = sequence;
            current.lastHeartbeat = clock.instant();
            current.load = Math.max(0, Math.min(1, message.getHeartbeat().getLoad()));
            current.activeFlows = message.getHeartbeat().getActiveFlowCount();
            Instant now = clock.instant();
            current.send(RelayMessage.newBuilder().setHeartbeatAck(HeartbeatAck.newBuilder().setSequence(sequence)
                    .setServerTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))).build());
        }

        private void fail(Status status) {
            Registration current = registration;
            if (current != null) {
                current.end(status.asRuntimeException());
            } else {
                try {
                    out.onError(status.asRuntimeException());
                } catch (RuntimeException ignored) {
                    // already ended
                }
            }
            ended();
        }

        private void ended() {
            if (watchdog >= 0) {
                vertx.cancelTimer(watchdog);
            }
            Registration current = registration;
            if (current != null) {
                registry.unregister(current);
            }
        }

        @Override
        public void onError(Throwable t) {
            ended();
        }

        @Override
        public void onCompleted() {
            Registration current = registration;
            if (current != null) {
                current.end(null);
            } else {
                out.onCompleted();
            }
            ended();
        }
    }
}
