package dev.zerogate.client.tunnel;

import com.google.protobuf.ByteString;
import dev.zerogate.client.login.CredentialKeeper;
import dev.zerogate.client.login.DeviceCertificate;
import dev.zerogate.client.login.DeviceKey;
import dev.zerogate.client.policy.PolicyChannel;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.AuthorizeResponse;
import dev.zerogate.proto.policy.v1.Decision;
import dev.zerogate.proto.policy.v1.DenyReason;
import dev.zerogate.proto.policy.v1.Protocol;
import dev.zerogate.proto.tunnel.v1.ClientJoin;
import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import dev.zerogate.tunnel.netty.PeerCertificates;
import dev.zerogate.tunnel.netty.RelayDialer;
import dev.zerogate.tunnel.netty.SessionHandler;
import dev.zerogate.tunnel.netty.StreamEnd;
import dev.zerogate.tunnel.netty.TunnelTls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's data plane: for each flow, a decision from policy-svc (its grant is reused
 * for further flows to the same destination and port while it lives), then a stream in the
 * end-to-end session with a connector of the resource's network — one session per network,
 * dialled through the relay on first use and again if it ends.
 */
final class TunnelClient implements AutoCloseable {

    /** policy-svc said no; the message is its reason, for the person. */
    static final class FlowDeniedException extends Exception {
        private final DenyReason reason;

        FlowDeniedException(DenyReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        /** True when the destination is no resource the person may see (split tunnelling: not ours). */
        boolean notAResource() {
            return reason == DenyReason.DENY_REASON_NO_MATCHING_RESOURCE;
        }
    }

    private record Permit(String grant, String networkId, Instant expiresAt) {
    }

    /** What {@code zerogate status} shows of the data plane. */
    record Snapshot(String relay, int sessions, int openFlows, long flowsOpened, long flowsFailed) {
    }

    private static final long GRANT_MARGIN_SECONDS = 30;
    /**
     * A session silent this long is suspect: a live peer answers keepalives well within it
     * (PING after {@link TunnelProtocol#KEEPALIVE_SECONDS} s of silence), so only a dead path,
     * or a machine that slept, gets here. Such a session must answer a probe before it
     * carries a new stream.
     */
    static final long SUSPECT_AFTER_SILENT_MILLIS = (TunnelProtocol.KEEPALIVE_SECONDS + 3) * 1000L;
    /** How long a probe waits for the peer: a relayed round trip is milliseconds, a phone's tether a few hundred. */
    static final long PROBE_TIMEOUT_MILLIS = 2_000;

    private final PolicyChannel policy;
    private final CredentialKeeper keeper;
    private final DeviceKey deviceKey;
    private final RelayChoice relays;
    /** One line for the person, e.g. that a relay was skipped. */
    private final java.util.function.Consumer<String> notices;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    /** Authorize is a blocking call: it never runs on the event loop. */
    private final ExecutorService deciding = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "authorize");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Permit> permits = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<SessionHandler>> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> lastConnector = new ConcurrentHashMap<>();
    private final AtomicLong flowsOpened = new AtomicLong();
    private final AtomicLong flowsFailed = new AtomicLong();

    TunnelClient(PolicyChannel policy, CredentialKeeper keeper, DeviceKey deviceKey, RelayChoice relays,
                 java.util.function.Consumer<String> notices) {
        this.policy = policy;
        this.keeper = keeper;
        this.deviceKey = deviceKey;
        this.relays = relays;
        this.notices = notices;
    }

    /**
     * Opens a flow to {@code destination:port} carried by {@code end}; completes with the stream
     * id once the stream is asked for. {@code bound} runs on the session's event loop right after
     * the stream exists, before any byte of it can arrive: there the end learns its stream. Fails with
     * {@link FlowDeniedException} when policy-svc denies, with the relay's or connector's
     * refusal, or with an I/O error.
     */
    CompletableFuture<Integer> open(String destination, int port, StreamEnd end,
                                    java.util.function.BiConsumer<SessionHandler, Integer> bound) {
        // A grant still in the cache needs no call to policy-svc, so no hop to the deciding thread.
        Permit cached = cachedPermit(destination, port);
        CompletableFuture<Permit> permit = cached != null ? CompletableFuture.completedFuture(cached)
                : CompletableFuture.supplyAsync(() -> permit(destination, port), deciding);
        return permit.thenCompose(granted -> openIn(granted, destination, port, end, bound, true))
                .whenComplete((id, failure) -> (failure == null ? flowsOpened : flowsFailed).incrementAndGet());
    }

    private Permit cachedPermit(String destination, int port) {
        Permit cached = permits.get(permitKey(destination, port));
        return cached != null && cached.expiresAt().isAfter(Instant.now().plusSeconds(GRANT_MARGIN_SECONDS)) ? cached : null;
    }

    private static String permitKey(String destination, int port) {
        return destination.toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    /**
     * Opens the stream in the network's session. A session that ended, or that holds its limit
     * of streams ({@link dev.zerogate.tunnel.TunnelProtocol#MAX_STREAMS_PER_SESSION}), is
     * replaced by a new one, once per flow: the full one keeps carrying its streams.
     */
    private CompletableFuture<Integer> openIn(Permit permit, String destination, int port, StreamEnd end,
                                              java.util.function.BiConsumer<SessionHandler, Integer> bound, boolean mayReplace) {
        CompletableFuture<SessionHandler> current = session(permit);
        return current.thenCompose(session -> {
            CompletableFuture<Integer> opened = new CompletableFuture<>();
            session.eventLoop().execute(() -> {
                if (session.isOpen() && !session.isFull() && (session.isProbing() || session.silentMillis() >= SUSPECT_AFTER_SILENT_MILLIS)) {
                    // A session that may have died with its path answers first; a dead one is
                    // closed by the probe, and the flow goes to a new one.
                    session.verifyAlive(PROBE_TIMEOUT_MILLIS).whenComplete((alive, ignored) -> session.eventLoop().execute(
                            () -> openOrReplace(session, current, permit, destination, port, end, bound, mayReplace, opened)));
                    return;
                }
                openOrReplace(session, current, permit, destination, port, end, bound, mayReplace, opened);
            });
            return opened;
        });
    }

    private void openOrReplace(SessionHandler session, CompletableFuture<SessionHandler> current, Permit permit, String destination,
                               int port, StreamEnd end, java.util.function.BiConsumer<SessionHandler, Integer> bound,
                               boolean mayReplace, CompletableFuture<Integer> opened) {
        if (!session.isOpen() || session.isFull()) {
            sessions.remove(permit.networkId(), current);
            if (session.isOpen()) {
                // Full: it keeps carrying its streams and ends with the last of them.
                session.retireWhenIdle();
            }
            if (mayReplace) {
                openIn(permit, destination, port, end, bound, false).whenComplete((id, failure) -> {
                    if (failure != null) {
                        opened.completeExceptionally(failure);
                    } else {
                        opened.complete(id);
                    }
                });
            } else {
                opened.completeExceptionally(new IOException("the session ended; try again"));
            }
            return;
        }
        int id = session.open(OpenStream.newBuilder().setGrant(permit.grant())
                .setDestination(destination).setPort(port).setProtocol("tcp")
                .setFlowId(UUID.randomUUID().toString()).build(), end);
        bound.accept(session, id);
        opened.complete(id);
    }

    /** A live grant for the flow: from the cache (a flow queued before this one may have fetched it) or a new decision. */
    private Permit permit(String destination, int port) {
        String key = permitKey(destination, port);
        Permit cached = cachedPermit(destination, port);
        if (cached != null) {
            return cached;
        }
        String deviceId;
        try {
            keeper.usableAccessToken();
            deviceId = keeper.deviceId();
        } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CompletionException(e);
        }
        if (deviceId.isEmpty()) {
            throw new java.util.concurrent.CompletionException(
                    new IOException("this login is not bound to an enrolled device: log in again with `zerogate login`"));
        }
        AuthorizeResponse answer = policy.authorization().authorize(AuthorizeRequest.newBuilder()
                .setDeviceId(deviceId).setDestination(destination).setPort(port).setProtocol(Protocol.PROTOCOL_TCP).build());
        if (answer.getDecision() != Decision.DECISION_PERMIT) {
            throw new java.util.concurrent.CompletionException(new FlowDeniedException(answer.getDenyReason(), answer.getReason()
                    + (answer.getDecisionId().isEmpty() ? "" : " (decision " + answer.getDecisionId() + ")")));
        }
        Permit permit = new Permit(answer.getGrant().getToken(), answer.getRemoteNetworkId(),
                Instant.ofEpochSecond(answer.getGrant().getExpiresAt().getSeconds()));
        permits.put(key, permit);
        return permit;
    }

    /** The session to the permit's network, dialled through the relay if there is none alive. */
    private CompletableFuture<SessionHandler> session(Permit permit) {
        CompletableFuture<SessionHandler> existing = sessions.get(permit.networkId());
        if (existing != null && !(existing.isDone() && (existing.isCompletedExceptionally() || !existing.join().isOpen()))) {
            return existing;
        }
        CompletableFuture<SessionHandler> dialled = dial(permit);
        sessions.put(permit.networkId(), dialled);
        dialled.whenComplete((session, failure) -> {
            if (failure != null) {
                sessions.remove(permit.networkId(), dialled);
            }
        });
        return dialled;
    }

    /** Dials the permit's network through the best relay, falling back to the next when one fails. */
    private CompletableFuture<SessionHandler> dial(Permit permit) {
        return relays.ordered().thenCompose(order -> dialFrom(order, 0, permit, null));
    }

    private CompletableFuture<SessionHandler> dialFrom(List<RelayChoice.Relay> order, int index, Permit permit, Throwable last) {
        if (index >= order.size()) {
            return CompletableFuture.failedFuture(last);
        }
        RelayChoice.Relay relay = order.get(index);
        return dialThrough(relay, permit).exceptionallyCompose(failure -> {
            Throwable cause = unwrap(failure);
            if (cause instanceof RelayDialer.RelayRefusedException) {
                // The relay answered: its refusal (no connector, a bad grant) is the answer, not a path problem.
                return CompletableFuture.failedFuture(cause);
            }
            relays.failed();
            String why = describeRelayFailure(relay, cause);
            boolean more = index + 1 < order.size();
            notices.accept(why + (more ? "; trying the next relay" : ""));
            return dialFrom(order, index + 1, permit, new IOException(why, cause));
        });
    }

    /** One line about a relay that could not carry the session. */
    static String describeRelayFailure(RelayChoice.Relay relay, Throwable cause) {
        if (cause instanceof RelayDialer.RelayKeyUnknownException unknown) {
            return "refused relay " + relay.url() + ": the deployment published preamble key " + unknown.sealedToKeyId()
                    + " for it, but it holds key " + unknown.relayKeyId() + ". It is not the relay the control plane published,"
                    + " or it was reinstalled without updating ZEROGATE_PUBLIC_RELAYS";
        }
        java.util.Optional<String> certificate = dev.zerogate.edge.TrustMaterial.certificateProblem(cause);
        if (certificate.isPresent()) {
            return "cannot reach relay " + relay.url() + " securely: " + certificate.get();
        }
        return "cannot reach relay " + relay.url() + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private CompletableFuture<SessionHandler> dialThrough(RelayChoice.Relay relay, Permit permit) {
        String networkId = permit.networkId();
        DeviceCertificate device = keeper.certificate();
        return RelayDialer.dial(group, new RelayDialer.Plan(relay.address(), relay.key(),
                sealer -> clientJoin(sealer, permit.grant(), lastConnector.getOrDefault(networkId, "")),
                answer -> {
                    try {
                        return TunnelTls.clientSide(deviceKey.privateKey(), List.of(device.certificate()),
                                PeerCertificates.trustManager(List.of(device.anchor()),
                                        peer -> peer.kind().equals("connector") && peer.id().equals(answer.getConnectorId())));
                    } catch (SSLException e) {
                        throw new IllegalStateException(e);
                    }
                }, Session.Role.CLIENT, new SessionHandler.Owner() {
                    @Override
                    public void onSessionClosed(SessionHandler session, dev.zerogate.tunnel.ResetCode code, String message, boolean byPeer) {
                        sessions.computeIfPresent(networkId, (k, v) -> v.isDone() && !v.isCompletedExceptionally() && v.join() == session ? null : v);
                    }
                }, relay.outerTls())).thenApply(established -> {
            lastConnector.put(networkId, established.answer().getConnectorId());
            return established.session();
        });
    }

    /**
     * After the machine slept or its addresses changed: a session whose local address is gone
     * cannot carry anything again and is closed; every other one must answer a probe, and is
     * closed if it does not. New flows then go to new sessions from the new address.
     */
    void reconsiderSessions(Set<InetAddress> gone, String why) {
        for (CompletableFuture<SessionHandler> future : sessions.values()) {
            if (!future.isDone() || future.isCompletedExceptionally()) {
                continue;
            }
            SessionHandler session = future.join();
            session.eventLoop().execute(() -> {
                if (!session.isOpen()) {
                    return;
                }
                if (session.channel().localAddress() instanceof InetSocketAddress local && gone.contains(local.getAddress())) {
                    session.close(dev.zerogate.tunnel.ResetCode.CANCELLED, why + ": " + local.getAddress().getHostAddress() + " is gone");
                } else {
                    session.verifyAlive(PROBE_TIMEOUT_MILLIS);
                }
            });
        }
    }

    /** What the data plane holds now, for {@code zerogate status}. */
    Snapshot snapshot() {
        int open = 0;
        int flows = 0;
        for (CompletableFuture<SessionHandler> future : sessions.values()) {
            if (!future.isDone() || future.isCompletedExceptionally()) {
                continue;
            }
            SessionHandler session = future.join();
            try {
                Integer streams = session.eventLoop().submit(() -> session.isOpen() ? session.streamCount() : -1).get(1, TimeUnit.SECONDS);
                if (streams >= 0) {
                    open++;
                    flows += streams;
                }
            } catch (Exception e) {
                // The loop is busy or shutting down: this session is left out of the count.
            }
        }
        return new Snapshot(relays.current(), open, flows, flowsOpened.get(), flowsFailed.get());
    }

    private RelayPreamble clientJoin(Preambles.Sealer sealer, String grant, String preferredConnector) {
        long now = System.currentTimeMillis();
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(deviceKey.privateKey());
            signer.update(Preambles.proofInput(sealer.keyId(), sealer.encapsulatedKey(), now));
            return RelayPreamble.newBuilder().setSentAtUnixMs(now).setClient(ClientJoin.newBuilder()
                    .setGrant(grant)
                    .setDevicePublicKey(ByteString.copyFrom(deviceKey.publicKey().getEncoded()))
                    .setProof(ByteString.copyFrom(signer.sign()))
                    .setPreferredConnectorId(preferredConnector)).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the device key", e);
        }
    }

    EventLoopGroup eventLoops() {
        return group;
    }

    @Override
    public void close() {
        deciding.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
