package dev.zerogate.connector.tunnel;

import com.google.protobuf.Timestamp;
import dev.zerogate.connector.config.ControlPlane;
import dev.zerogate.connector.credentials.ConnectorCredentials;
import dev.zerogate.edge.GrpcChannels;
import dev.zerogate.edge.PublishedRelay;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.proto.relay.v1.ConnectorMessage;
import dev.zerogate.proto.relay.v1.Drain;
import dev.zerogate.proto.relay.v1.DrainAck;
import dev.zerogate.proto.relay.v1.FlowAccepted;
import dev.zerogate.proto.relay.v1.FlowRejectReason;
import dev.zerogate.proto.relay.v1.FlowRejected;
import dev.zerogate.proto.relay.v1.FlowRequest;
import dev.zerogate.proto.relay.v1.Heartbeat;
import dev.zerogate.proto.relay.v1.Hello;
import dev.zerogate.proto.relay.v1.RelayControlServiceGrpc;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.proto.tunnel.v1.ConnectorJoin;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import dev.zerogate.tunnel.netty.PeerCertificates;
import dev.zerogate.tunnel.netty.RelayDialer;
import dev.zerogate.tunnel.netty.RelayTls;
import dev.zerogate.tunnel.netty.TunnelTls;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.netty.channel.EventLoopGroup;
import io.quarkus.logging.Log;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The connector's registration with one relay (zerogate.relay.v1.RelayControlService.Connect):
 * Hello, heartbeats, and for each FlowRequest a dial back to the relay's public port with the
 * rendezvous token, where the client's end-to-end session is served by the {@link FlowGate}.
 * Reconnects with jittered exponential backoff (1 s to 4 s) whenever the stream ends. The
 * ceiling is low on purpose: a relay that restarts (an upgrade, a reboot of the VPS) must carry
 * flows again within seconds of its return, and an attempt every few seconds per connector
 * costs a relay nothing at the sizes zerogate is for.
 */
public final class RelayLink implements AutoCloseable {

    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 4_000;

    private final URI relay;
    private final ConnectorCredentials credentials;
    private final FlowGate gate;
    private final EventLoopGroup group;
    private final ScheduledExecutorService scheduler;
    private final String version;
    private final Map<String, String> labels;
    private final IntSupplier activeFlows;
    private final ManagedChannel channel;
    /** The relay's preamble key as the discovery document publishes it: never the one the relay announces. */
    private final RelayKey relayKey;
    /** The outer TLS of the public port for an https:// relay, else null. */
    private final RelayTls outerTls;
    private volatile ClientCallStreamObserver<ConnectorMessage> stream;
    private volatile boolean closed;
    private ScheduledFuture<?> heartbeats;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private long sequence;

    public RelayLink(PublishedRelay published, TrustMaterial trust, ConnectorCredentials credentials, FlowGate gate, EventLoopGroup group,
                     ScheduledExecutorService scheduler, String version, Map<String, String> labels, IntSupplier activeFlows) {
        this.relay = published.url();
        this.relayKey = RelayKey.fromPublic(published.preambleKey());
        this.credentials = credentials;
        this.gate = gate;
        this.group = group;
        this.scheduler = scheduler;
        this.version = version;
        this.labels = labels;
        this.activeFlows = activeFlows;
        this.channel = GrpcChannels.open(relay, trust);
        try {
            this.outerTls = ControlPlane.tls(relay)
                    ? new RelayTls(RelayTls.clientContext(trust.trustManager()), ControlPlane.host(relay), ControlPlane.port(relay)) : null;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make the TLS context for relay " + relay, e);
        }
    }

    public synchronized void start() {
        if (closed) {
            return;
        }
        // The channel keeps a reconnect backoff of its own (up to two minutes): ours decides.
        channel.resetConnectBackoff();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + credentials.accessToken());
        RelayControlServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .connect(new ClientResponseObserver<ConnectorMessage, RelayMessage>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<ConnectorMessage> requests) {
                        stream = requests;
                    }

                    @Override
                    public void onNext(RelayMessage message) {
                        onRelayMessage(message);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended(t.getMessage());
                    }

                    @Override
                    public void onCompleted() {
                        ended("the relay ended the stream");
                    }
                });
        send(ConnectorMessage.newBuilder().setHello(Hello.newBuilder()
                .setConnectorId(credentials.connectorId()).setRemoteNetworkId(credentials.remoteNetworkId())
                .setVersion(version).putAllLabels(labels).addSupportedProtocolVersions(TunnelProtocol.VERSION)).build());
    }

    private void onRelayMessage(RelayMessage message) {
        switch (message.getKindCase()) {
            case WELCOME -> {
                String announced = Base64.getUrlEncoder().withoutPadding().encodeToString(message.getWelcome().getPreambleKey().toByteArray());
                if (!announced.equals(relayKey.publicText())) {
                    // Flows through it will fail as key-unknown: say why once, at registration.
                    Log.warnf("relay %s holds preamble key %s, but the deployment publishes %s for it: it is not the relay the"
                                    + " control plane published, or it was reinstalled without updating ZEROGATE_PUBLIC_RELAYS", relay,
                            safeKeyId(announced), relayKey.keyIdText());
                }
                backoffMillis = MIN_BACKOFF_MILLIS;
                long interval = Math.max(1, message.getWelcome().getHeartbeatInterval().getSeconds());
                synchronized (this) {
                    heartbeats = scheduler.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.SECONDS);
                }
                Log.infof("registered with relay %s (%s)", message.getWelcome().getRelayId(), relay);
            }
            case FLOW_REQUEST -> join(message.getFlowRequest());
            case DRAIN -> drained(message.getDrain());
            default -> { }
        }
    }

    /**
     * The relay sends no more flows (contract step 5): acknowledge, leave by half-closing (the
     * relay then ends the stream at once), and register again after the shortest backoff, which
     * reaches another relay behind the same name, or this one once it is back. Sessions already
     * joined are separate connections and carry on.
     */
    private void drained(Drain drain) {
        int flows = activeFlows.getAsInt();
        Log.infof("relay %s drains (%s: %s); %d flows open, registering again", relay,
                drain.getReason(), drain.getMessage(), flows);
        send(ConnectorMessage.newBuilder().setDrainAck(DrainAck.newBuilder()
                .setActiveFlowCount(flows)).build());
        synchronized (this) {
            backoffMillis = MIN_BACKOFF_MILLIS;
            ClientCallStreamObserver<ConnectorMessage> current = stream;
            if (current != null) {
                try {
                    current.onCompleted();
                } catch (RuntimeException e) {
                    Log.debugf("half-closing the stream to relay %s failed: %s", relay, e.toString());
                }
            }
        }
    }

    private void heartbeat() {
        Instant now = Instant.now();
        int flows = activeFlows.getAsInt();
        send(ConnectorMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(++sequence)
                .setActiveFlowCount(flows).setLoad(Math.min(1f, flows / 1000f))
                .setSentAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))).build());
    }

    /** Joins a client's session on the relay; the session then belongs to the flow gate. */
    private void join(FlowRequest request) {
        InetSocketAddress address = InetSocketAddress.createUnresolved(ControlPlane.host(relay), ControlPlane.port(relay));
        RelayDialer.dial(group, new RelayDialer.Plan(address, relayKey,
                sealer -> RelayPreamble.newBuilder().setSentAtUnixMs(System.currentTimeMillis())
                        .setConnector(ConnectorJoin.newBuilder().setRendezvousToken(request.getRendezvousToken())).build(),
                answer -> {
                    try {
                        return TunnelTls.connectorSide(credentials.privateKey(), List.of(credentials.certificateChain()),
                                PeerCertificates.trustManager(List.of(credentials.trustAnchors()), peer -> peer.kind().equals("device")));
                    } catch (SSLException e) {
                        throw new IllegalStateException(e);
                    }
                }, Session.Role.CONNECTOR, gate, outerTls)).whenComplete((established, failure) -> {
                    if (failure != null) {
                        Log.warnf("joining session %s on %s failed: %s", request.getFlowId(), relay, describe(failure));
                        send(ConnectorMessage.newBuilder().setFlowRejected(FlowRejected.newBuilder().setFlowId(request.getFlowId())
                                .setReason(FlowRejectReason.FLOW_REJECT_REASON_RENDEZVOUS_FAILED)
                                .setMessage("could not join: " + failure.getClass().getSimpleName())).build());
                        return;
                    }
                    established.session().channel().attr(FlowGate.SESSION_ID).set(request.getFlowId());
                    send(ConnectorMessage.newBuilder().setFlowAccepted(FlowAccepted.newBuilder().setFlowId(request.getFlowId())).build());
                });
    }

    /** One line about a failed join: key-unknown and certificate problems named, else the failure itself. */
    private String describe(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RelayDialer.RelayKeyUnknownException unknown) {
            return "the relay holds preamble key " + unknown.relayKeyId() + ", not the published " + unknown.sealedToKeyId()
                    + ": it is not the relay the control plane published, or it was reinstalled without updating ZEROGATE_PUBLIC_RELAYS";
        }
        return TrustMaterial.certificateProblem(cause).map(problem -> "TLS to the relay refused: " + problem).orElse(cause.toString());
    }

    private static String safeKeyId(String publicKey) {
        try {
            return RelayKey.fromPublic(publicKey).keyIdText();
        } catch (IllegalArgumentException e) {
            return "(malformed)";
        }
    }

    private synchronized void send(ConnectorMessage message) {
        ClientCallStreamObserver<ConnectorMessage> current = stream;
        if (current != null) {
            try {
                current.onNext(message);
            } catch (RuntimeException e) {
                Log.debugf("sending to relay %s failed: %s", relay, e.toString());
            }
        }
    }

    private synchronized void ended(String why) {
        stream = null;
        if (heartbeats != null) {
            heartbeats.cancel(false);
            heartbeats = null;
        }
        if (closed) {
            return;
        }
        long delay = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        Log.infof("relay %s stream ended (%s); reconnecting in %d ms", relay, why, delay);
        sequence = 0;
        scheduler.schedule(this::start, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        ClientCallStreamObserver<ConnectorMessage> current = stream;
        if (current != null) {
            current.onCompleted();
        }
        channel.shutdownNow();
    }
}
