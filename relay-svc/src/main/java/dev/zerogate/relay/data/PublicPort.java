package dev.zerogate.relay.data;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.zerogate.proto.relay.v1.FlowRejectReason;
import dev.zerogate.proto.relay.v1.FlowRequest;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.proto.tunnel.v1.ClientJoin;
import dev.zerogate.proto.tunnel.v1.RelayAnswer;
import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;
import dev.zerogate.relay.RelayKeys;
import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.relay.service.ClientAdmission;
import dev.zerogate.relay.service.ConnectorRegistry;
import dev.zerogate.relay.service.RelayMetrics;
import dev.zerogate.relay.service.RelayRefusal;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.StreamRefusals;
import dev.zerogate.tunnel.TunnelProtocol;
import dev.zerogate.tunnel.netty.Splice;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The relay's public port: every client and connector connection, and (through the front
 * door) every gRPC/HTTP call, arrives here. Pairs an admitted client with a connector of its
 * grant's network by a single-use rendezvous, then splices the two connections. Runs on
 * Vert.x's event loops; nothing here blocks.
 */
@ApplicationScoped
public class PublicPort {

    private static final int RENDEZVOUS_TOKEN_BYTES = 32;

    /** A client waiting for its connector to join. */
    private record Pending(String flowId, Channel client, Preambles.Opened clientPreamble, String connectorId,
                           io.netty.util.concurrent.ScheduledFuture<?> timeout) {
    }

    private final RelayConfig config;
    private final RelayKeys keys;
    private final ClientAdmission admission;
    private final ConnectorRegistry connectors;
    private final RelayMetrics metrics;
    private final ServerTls tls;
    private final TrustedProxies proxies;
    private final Clock clock;
    private final Vertx vertx;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> byToken = new ConcurrentHashMap<>();
    private final Map<String, String> tokenByFlow = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> sessionsBySubject = new ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private Channel server;

    PublicPort(RelayConfig config, RelayKeys keys, ClientAdmission admission, ConnectorRegistry connectors,
               RelayMetrics metrics, ServerTls tls, Clock clock, Vertx vertx) {
        this.config = config;
        this.keys = keys;
        this.admission = admission;
        this.connectors = connectors;
        this.metrics = metrics;
        this.tls = tls;
        this.proxies = TrustedProxies.parse(config.trustedProxies().orElse(java.util.List.of()));
        this.clock = clock;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(vertx.nettyEventLoopGroup())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new Entrance(keys.key(), dispatch, tls, proxies, config.limits().handshakeTimeout().toMillis(),
                        channel -> channel.attr(PAIRING).get() != null,
                        (ctx, reason) -> {
                            refused(ctx.channel(), reason);
                            ctx.close();
                        },
                        () -> metrics.refused("handshake_timeout")));
        server = bootstrap.bind(config.host(), config.port()).sync().channel();
        Log.infof("relay public port listening on %s:%d (%s)", config.host(), ((java.net.InetSocketAddress) server.localAddress()).getPort(),
                tls.enabled() ? "TLS; ALPN " + TunnelProtocol.RELAY_ALPN + " for the data plane, h2/http/1.1 for its HTTP/gRPC server"
                        : "plain: no ZEROGATE_TLS_CERT/ZEROGATE_TLS_KEY");
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Marks a channel that passed the front door (so the handshake timer leaves it alone). */
    static final io.netty.util.AttributeKey<String> PAIRING = io.netty.util.AttributeKey.valueOf("zerogate-pairing");

    private final FrontDoor.Dispatch dispatch = new FrontDoor.Dispatch() {
        @Override
        public void preamble(ChannelHandlerContext ctx, Preambles.Opened opened) {
            switch (opened.preamble().getKindCase()) {
                case CLIENT -> admitClient(ctx.channel(), opened, opened.preamble().getSentAtUnixMs(), opened.preamble().getClient());
                case CONNECTOR -> joinConnector(ctx.channel(), opened, opened.preamble().getConnector().getRendezvousToken());
                default -> ctx.close();
            }
        }

        @Override
        public void notOurs(ChannelHandlerContext ctx) {
            passToHttpServer(ctx.channel());
        }

        @Override
        public void refused(ChannelHandlerContext ctx, String reason) {
            PublicPort.this.refused(ctx.channel(), reason);
        }
    };

    /** Counts a refused connection and says whom it was, by the peer's (possibly proxied) address. */
    private void refused(Channel channel, String reason) {
        metrics.refused(reason);
        Log.debugf("refused a connection from %s: %s", PeerAddress.text(channel), reason);
    }

    // ---- clients ----------------------------------------------------------------------------

    private void admitClient(Channel client, Preambles.Opened opened, long sentAt, ClientJoin join) {
        client.attr(PAIRING).set("admitting");
        admission.admit(opened, sentAt, join).whenComplete((grant, failure) -> client.eventLoop().execute(() -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof RelayRefusal refusal) {
                    answerAndClose(client, opened, refusal.code(), refusal.reason(), refusal.getMessage());
                } else {
                    Log.warnf("admitting a client failed: %s", cause.toString());
                    answerAndClose(client, opened, RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, "internal",
                            "the relay could not check the grant");
                }
                return;
            }
            offer(client, opened, grant, join.getPreferredConnectorId());
        }));
    }

    private void offer(Channel client, Preambles.Opened opened, VerifiedGrant grant, String preferredConnectorId) {
        if (sessions.get() >= config.limits().maxSessions()) {
            answerAndClose(client, opened, RelayAnswerCode.RELAY_ANSWER_CODE_CAPACITY, "relay_capacity", "the relay is full; try another");
            return;
        }
        AtomicInteger bySubject = sessionsBySubject.computeIfAbsent(grant.subject(), s -> new AtomicInteger());
        if (bySubject.incrementAndGet() > config.limits().maxSessionsPerSubject()) {
            bySubject.decrementAndGet();
            answerAndClose(client, opened, RelayAnswerCode.RELAY_ANSWER_CODE_CAPACITY, "subject_capacity",
                    "you have " + config.limits().maxSessionsPerSubject() + " sessions on this relay, the most it allows");
            return;
        }
        sessions.incrementAndGet();
        client.closeFuture().addListener(f -> {
            sessions.decrementAndGet();
            if (bySubject.decrementAndGet() <= 0) {
                sessionsBySubject.remove(grant.subject(), bySubject);
            }
        });
        var connector = connectors.pick(grant.networkId(), preferredConnectorId);
        if (connector.isEmpty()) {
            answerAndClose(client, opened, RelayAnswerCode.RELAY_ANSWER_CODE_NO_CONNECTOR, "no_connector",
                    "no connector of this resource's network is online at this relay");
            return;
        }
        byte[] token = new byte[RENDEZVOUS_TOKEN_BYTES];
        random.nextBytes(token);
        String tokenKey = Base64.getEncoder().encodeToString(token);
        String flowId = UUID.randomUUID().toString();
        long joinMillis = config.limits().joinTimeout().toMillis();
        var timeout = client.eventLoop().schedule(() -> {
            if (byToken.remove(tokenKey) != null) {
                tokenByFlow.remove(flowId);
                answerAndClose(client, opened, RelayAnswerCode.RELAY_ANSWER_CODE_CONNECTOR_REFUSED, "join_timeout",
                        "the connector did not join in time");
            }
        }, joinMillis, TimeUnit.MILLISECONDS);
        byToken.put(tokenKey, new Pending(flowId, client, opened, connector.get().connectorId, timeout));
        tokenByFlow.put(flowId, tokenKey);
        client.closeFuture().addListener(f -> {
            if (byToken.remove(tokenKey) != null) {
                tokenByFlow.remove(flowId);
                timeout.cancel(false);
            }
        });
        long expiresAt = clock.millis() + joinMillis;
        boolean sent = connector.get().send(RelayMessage.newBuilder().setFlowRequest(FlowRequest.newBuilder()
                .setFlowId(flowId).setRendezvousToken(ByteString.copyFrom(token))
                .setRendezvousExpiresAt(Timestamp.newBuilder().setSeconds(expiresAt / 1000).setNanos((int) (expiresAt % 1000) * 1_000_000)))
                .build());
        if (!sent) {
            rejected(flowId, FlowRejectReason.FLOW_REJECT_REASON_INTERNAL, "the connector's control stream ended");
        }
    }

    /** The connector answered FlowRejected (or its stream ended): the waiting client hears why, in the tunnel contract's words. */
    public void rejected(String flowId, FlowRejectReason reason, String message) {
        String tokenKey = tokenByFlow.remove(flowId);
        Pending pending = tokenKey == null ? null : byToken.remove(tokenKey);
        if (pending == null) {
            return;
        }
        pending.timeout().cancel(false);
        pending.client().eventLoop().execute(() -> answerAndClose(pending.client(), pending.clientPreamble(),
                RelayAnswerCode.RELAY_ANSWER_CODE_CONNECTOR_REFUSED, "connector_refused",
                "the connector refused the session (" + StreamRefusals.label(FlowRejections.toStreamRefuseReason(reason))
                        + (message.isEmpty() ? "" : ": " + message) + ")"));
    }

    // ---- connectors ---------------------------------------------------------------------------

    private void joinConnector(Channel connector, Preambles.Opened opened, ByteString token) {
        connector.attr(PAIRING).set("joining");
        Pending pending = byToken.remove(Base64.getEncoder().encodeToString(token.toByteArray()));
        if (pending == null) {
            answerAndClose(connector, opened, RelayAnswerCode.RELAY_ANSWER_CODE_RENDEZVOUS_UNKNOWN, "rendezvous_unknown",
                    "the rendezvous token is unknown, spent or expired");
            return;
        }
        tokenByFlow.remove(pending.flowId());
        pending.timeout().cancel(false);
        Channel client = pending.client();
        if (!client.isActive()) {
            answerAndClose(connector, opened, RelayAnswerCode.RELAY_ANSWER_CODE_RENDEZVOUS_UNKNOWN, "client_gone",
                    "the client left before the connector joined");
            return;
        }
        metrics.sessionPaired();
        connector.closeFuture().addListener(f -> metrics.sessionClosed());
        RelayAnswer toConnector = RelayAnswer.newBuilder().setCode(RelayAnswerCode.RELAY_ANSWER_CODE_OK)
                .setSessionId(pending.flowId()).build();
        RelayAnswer toClient = RelayAnswer.newBuilder().setCode(RelayAnswerCode.RELAY_ANSWER_CODE_OK)
                .setSessionId(pending.flowId()).setConnectorId(pending.connectorId()).build();
        // Both legs on the connector's loop (the client's channel moves), so that the splice writes
        // each read straight into the other socket on the same thread. Across two loops every read
        // would be a write task handed to the other loop's thread, a wake-up each (ADR 0011).
        // The connector's side first: its answer is queued before any client byte can be.
        EventLoop loop = connector.eventLoop();
        Runnable splice = () -> {
            startSplicing(connector, client, opened.sealAnswer(toConnector));
            startSplicing(client, connector, pending.clientPreamble().sealAnswer(toClient));
        };
        if (client.eventLoop() == loop) {
            loop.execute(splice);
            return;
        }
        Runnable abandon = () -> {
            client.close();
            connector.close();
        };
        client.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess() || !client.isOpen()) {
                abandon.run();
                return;
            }
            loop.register(client).addListener(registered -> loop.execute(registered.isSuccess() ? splice : abandon));
        });
    }

    /** On {@code self}'s loop: answer OK, then forward everything to {@code peer}. */
    private void startSplicing(Channel self, Channel peer, byte[] sealedAnswer) {
        self.writeAndFlush(Unpooled.wrappedBuffer(sealedAnswer));
        long idle = config.limits().sessionIdleTimeout().toMillis();
        self.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        self.pipeline().addLast("splice", new Splice(peer, metrics::spliced, () -> metrics.refused("session_idle")));
        self.pipeline().remove("front-door"); // hands its leftover bytes to the splice
        self.config().setAutoRead(true);
        self.read();
    }

    private void answerAndClose(Channel channel, Preambles.Opened opened, RelayAnswerCode code, String reason, String message) {
        refused(channel, reason);
        RelayAnswer answer = RelayAnswer.newBuilder().setCode(code).setMessage(message).build();
        channel.writeAndFlush(Unpooled.wrappedBuffer(opened.sealAnswer(answer))).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- everything else ----------------------------------------------------------------------

    /** Not a preamble: connect to this relay's own HTTP/gRPC server and splice. */
    private void passToHttpServer(Channel outside) {
        outside.attr(PAIRING).set("http");
        new Bootstrap().group(outside.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                    }
                })
                .connect("127.0.0.1", httpPort()).addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        outside.close();
                        return;
                    }
                    Channel inside = connected.channel();
                    inside.pipeline().addLast("splice", new Splice(outside, bytes -> { }, () -> { }));
                    outside.pipeline().addLast("splice", new Splice(inside, bytes -> { }, () -> { }));
                    outside.pipeline().remove("front-door");
                    inside.config().setAutoRead(true);
                    outside.config().setAutoRead(true);
                    inside.read();
                    outside.read();
                });
    }

    private static int httpPort() {
        var config = ConfigProvider.getConfig();
        String name = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return config.getOptionalValue(name, Integer.class).orElse(8080);
    }
}
