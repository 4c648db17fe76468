package dev.zerogate.connector.tunnel;

import dev.zerogate.connector.policy.FlowPolicy;
import dev.zerogate.connector.policy.FlowVerdict;
import dev.zerogate.connector.policy.PolicyView;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import dev.zerogate.servicekit.grant.GrantRejectedException;
import dev.zerogate.servicekit.grant.RemoteGrantVerifier;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.tunnel.StreamRefusals;
import dev.zerogate.tunnel.netty.ChannelStreamEnd;
import dev.zerogate.tunnel.netty.PeerCertificates;
import dev.zerogate.tunnel.netty.SessionHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the connector decides each flow a client opens inside a session, in this order,
 * dialling nothing until all hold:
 * <ol>
 *   <li>the grant verifies (policy-svc's signature, audience connector, not expired);</li>
 *   <li>it covers this flow: the session's device key ({@code cnf.jkt}), the session's device
 *       ({@code zg_dev}), this connector's network, the destination, protocol and port;</li>
 *   <li>the connector's own copy of the policy still allows it ({@link FlowPolicy}): the
 *       destination is covered by the grant's resource (so nothing but a resource of this
 *       network is ever dialled), the rule and membership still hold, nobody was revoked;</li>
 *   <li>the name resolves in the private network, and the destination answers.</li>
 * </ol>
 * Open flows are checked again whenever the policy changes and reset within the change's
 * arrival if they no longer hold.
 */
public final class FlowGate implements SessionHandler.Owner {

    /** An open flow, for re-checks and the close log line. */
    private record OpenFlow(SessionHandler session, int streamId, VerifiedGrant grant, String destination, int port,
                            FlowLog.Flow log, ChannelStreamEnd end) {
    }

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final RemoteGrantVerifier grants;
    private final FlowPolicy policy;
    private final FlowLog log;
    private final Executor resolver;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final int maxFlowsPerUser;
    private final Map<String, OpenFlow> open = new ConcurrentHashMap<>();
    /** Flows per user (grant subject), counted from the decision to dial until the flow ends. */
    private final Map<String, Integer> flowsByUser = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong bytesFromClients = new AtomicLong();
    private final AtomicLong bytesToClients = new AtomicLong();

    public FlowGate(RemoteGrantVerifier grants, FlowPolicy policy, FlowLog log, Executor resolver, MeterRegistry metrics, Clock clock,
                    int maxFlowsPerUser) {
        if (maxFlowsPerUser < 1) {
            throw new IllegalArgumentException("the flows per user must be at least 1, not " + maxFlowsPerUser);
        }
        this.maxFlowsPerUser = maxFlowsPerUser;
        this.grants = grants;
        this.policy = policy;
        this.log = log;
        this.resolver = resolver;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("zerogate_connector_flows_active", active);
        metrics.more().counter("zerogate_connector_bytes_from_clients", java.util.List.of(), bytesFromClients);
        metrics.more().counter("zerogate_connector_bytes_to_clients", java.util.List.of(), bytesToClients);
    }

    public int activeFlows() {
        return active.get();
    }

    @Override
    public void onOpenRequested(SessionHandler session, int streamId, OpenStream request) {
        Optional<PeerCertificates.Peer> peer = peerOf(session);
        String flowId = request.getFlowId().isEmpty() ? UUID.randomUUID().toString() : request.getFlowId();
        FlowLog.Flow unverified = new FlowLog.Flow(flowId, sessionIdOf(session), "", peer.map(PeerCertificates.Peer::id).orElse(""),
                "", request.getDestination(), request.getPort(), "relay", clock.instant());
        if (peer.isEmpty() || !peer.get().kind().equals("device")) {
            refuse(session, streamId, unverified, StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_MISMATCH, "the session has no device certificate");
            return;
        }
        if (!"tcp".equals(request.getProtocol())) {
            refuse(session, streamId, unverified, StreamRefuseReason.STREAM_REFUSE_REASON_PROTOCOL_UNSUPPORTED,
                    "this connector carries TCP flows only");
            return;
        }
        grants.verify(request.getGrant()).whenComplete((grant, failure) -> session.eventLoop().execute(() -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                boolean expired = cause instanceof GrantRejectedException rejected
                        && rejected.reason() == GrantRejectedException.Reason.EXPIRED;
                refuse(session, streamId, unverified, expired ? StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_EXPIRED
                                : StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_INVALID,
                        cause instanceof GrantRejectedException ? cause.getMessage() : "the grant could not be checked");
                return;
            }
            decide(session, streamId, request, grant, peer.get(), flowId);
        }));
    }

    private void decide(SessionHandler session, int streamId, OpenStream request, VerifiedGrant grant,
                        PeerCertificates.Peer peer, String flowId) {
        FlowLog.Flow flow = new FlowLog.Flow(flowId, sessionIdOf(session), grant.subject(), peer.id(), grant.resourceId(),
                request.getDestination(), request.getPort(), "relay", clock.instant());
        try {
            grants.verifier().checkFlow(grant, request.getDestination(), request.getProtocol(), request.getPort(), peer.keyThumbprint());
        } catch (GrantRejectedException e) {
            refuse(session, streamId, flow, e.reason() == GrantRejectedException.Reason.EXPIRED
                    ? StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_EXPIRED : StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_MISMATCH, e.getMessage());
            return;
        }
        if (!grant.deviceId().map(peer.id()::equals).orElse(false)) {
            refuse(session, streamId, flow, StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_MISMATCH, "the grant is for another device");
            return;
        }
        FlowVerdict verdict = policy.check(grant, request.getDestination(), request.getPort(), Protocol.TCP);
        if (!verdict.allowed()) {
            refuse(session, streamId, flow, refuseReason(verdict.reason()), verdict.message());
            return;
        }
        if (!reserveFlow(grant.subject())) {
            refuse(session, streamId, flow, StreamRefuseReason.STREAM_REFUSE_REASON_CAPACITY,
                    "this user already has " + maxFlowsPerUser + " flows open through this connector; close some and retry");
            return;
        }
        // An address needs no lookup: dial it from here. A name may block on the LAN's DNS: off the loop.
        String destination = request.getDestination();
        if (io.netty.util.NetUtil.isValidIpV4Address(destination) || io.netty.util.NetUtil.isValidIpV6Address(destination)) {
            dial(session, streamId, grant, request, flow, resolve(destination), verdict.recheckAt());
            return;
        }
        CompletableFuture.supplyAsync(() -> resolve(destination), resolver)
                .whenComplete((address, failure) -> session.eventLoop().execute(() -> {
                    if (failure != null) {
                        releaseFlow(grant.subject());
                        refuse(session, streamId, flow, StreamRefuseReason.STREAM_REFUSE_REASON_DESTINATION_UNRESOLVABLE,
                                request.getDestination() + " does not resolve in the private network");
                        return;
                    }
                    dial(session, streamId, grant, request, flow, address, verdict.recheckAt());
                }));
    }

    /** Counts a flow against its user's cap; false (and nothing counted) when the cap is reached. */
    private boolean reserveFlow(String user) {
        boolean[] reserved = {false};
        flowsByUser.compute(user, (u, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxFlowsPerUser) {
                return count;
            }
            reserved[0] = true;
            return current + 1;
        });
        return reserved[0];
    }

    private void releaseFlow(String user) {
        flowsByUser.computeIfPresent(user, (u, count) -> count <= 1 ? null : count - 1);
    }

    private static InetAddress resolve(String destination) {
        try {
            return InetAddress.getByName(destination);
        } catch (UnknownHostException e) {
            throw new CompletionException(e);
        }
    }

    private void dial(SessionHandler session, int streamId, VerifiedGrant grant, OpenStream request, FlowLog.Flow flow,
                      InetAddress address, Optional<java.time.Instant> recheckAt) {
        new Bootstrap().group(session.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                    }
                })
                .connect(address, request.getPort()).addListener((ChannelFutureListener) dialled -> {
                    if (!dialled.isSuccess()) {
                        releaseFlow(grant.subject());
                        refuse(session, streamId, flow, StreamRefuseReason.STREAM_REFUSE_REASON_DESTINATION_UNREACHABLE,
                                "dial " + address.getHostAddress() + ":" + request.getPort() + ": "
                                        + (dialled.cause() == null ? "failed" : dialled.cause().getMessage()));
                        return;
                    }
                    ChannelStreamEnd end = new ChannelStreamEnd(dialled.channel());
                    OpenFlow openFlow = new OpenFlow(session, streamId, grant, request.getDestination(), request.getPort(), flow, end);
                    open.put(flow.flowId(), openFlow);
                    active.incrementAndGet();
                    log.opened(flow, address.getHostAddress());
                    // Attached before the session takes it: if the client gave up while this was
                    // dialled, accept closes the end at once, and only an attached end reports that.
                    end.attach(session, streamId, reason -> {
                        if (open.remove(flow.flowId()) != null) {
                            active.decrementAndGet();
                            releaseFlow(grant.subject());
                            bytesFromClients.addAndGet(end.bytesOut());
                            bytesToClients.addAndGet(end.bytesIn());
                            log.closed(flow, end.bytesOut(), end.bytesIn(), reason);
                        }
                    });
                    session.accept(streamId, StreamOpened.newBuilder().setResolvedAddress(address.getHostAddress()).build(), end);
                    scheduleRecheck(openFlow, recheckAt);
                });
    }

    /**
     * Re-checks every open flow against {@code view} (called on each policy change): a flow that
     * no longer holds is reset with the reason, on its session's loop.
     */
    public void recheck(PolicyView view) {
        for (OpenFlow flow : open.values()) {
            FlowVerdict verdict = policy.check(view, flow.grant(), flow.destination(), flow.port(), Protocol.TCP);
            if (!verdict.allowed()) {
                flow.session().eventLoop().execute(() -> {
                    metrics.counter("zerogate_connector_flows_revoked", "reason", StreamRefusals.label(refuseReason(verdict.reason()))).increment();
                    flow.session().reset(flow.streamId(), ResetCode.ACCESS_REVOKED, verdict.message());
                });
            }
        }
    }

    /**
     * A rule's expiry or the end of its time window changes the answer without any policy
     * change: the flow is checked again then, on its session's loop.
     */
    private void scheduleRecheck(OpenFlow flow, Optional<java.time.Instant> at) {
        if (at.isEmpty()) {
            return;
        }
        long delayMillis = Math.max(0, java.time.Duration.between(clock.instant(), at.get()).toMillis()) + 1;
        flow.session().eventLoop().schedule(() -> {
            if (!open.containsKey(flow.log().flowId())) {
                return;
            }
            FlowVerdict verdict = policy.check(flow.grant(), flow.destination(), flow.port(), Protocol.TCP);
            if (verdict.allowed()) {
                scheduleRecheck(flow, verdict.recheckAt());
            } else {
                metrics.counter("zerogate_connector_flows_revoked", "reason", StreamRefusals.label(refuseReason(verdict.reason()))).increment();
                flow.session().reset(flow.streamId(), ResetCode.ACCESS_REVOKED, verdict.message());
            }
        }, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void refuse(SessionHandler session, int streamId, FlowLog.Flow flow, StreamRefuseReason reason, String message) {
        String label = StreamRefusals.label(reason);
        metrics.counter("zerogate_connector_flows_refused", "reason", label).increment();
        log.refused(flow, label, message);
        session.refuse(streamId, reason, message);
    }

    /** The tunnel contract's reason for each answer of the policy copy (NONE is never refused). */
    static StreamRefuseReason refuseReason(FlowVerdict.Reason reason) {
        return switch (reason) {
            case NONE -> StreamRefuseReason.STREAM_REFUSE_REASON_UNSPECIFIED;
            case GRANT_MISMATCH -> StreamRefuseReason.STREAM_REFUSE_REASON_GRANT_MISMATCH;
            case RESOURCE_UNKNOWN -> StreamRefuseReason.STREAM_REFUSE_REASON_RESOURCE_UNKNOWN;
            case POLICY_DENIED -> StreamRefuseReason.STREAM_REFUSE_REASON_POLICY_DENIED;
        };
    }

    private static Optional<PeerCertificates.Peer> peerOf(SessionHandler session) {
        // The last one: behind an https relay the first SslHandler is the relay's own, whose peer
        // is the relay; the end-to-end session's sits after it, just before the session.
        SslHandler tls = null;
        for (java.util.Map.Entry<String, io.netty.channel.ChannelHandler> handler : session.channel().pipeline()) {
            if (handler.getValue() instanceof SslHandler candidate) {
                tls = candidate;
            }
        }
        try {
            return PeerCertificates.peerOf((X509Certificate) tls.engine().getSession().getPeerCertificates()[0]);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String sessionIdOf(SessionHandler session) {
        String id = session.channel().attr(SESSION_ID).get();
        return id == null ? "" : id;
    }

    /** The relay's id of the session (its flow id), set on the channel when the session is established. */
    public static final io.netty.util.AttributeKey<String> SESSION_ID = io.netty.util.AttributeKey.valueOf("zerogate-session-id");
}
