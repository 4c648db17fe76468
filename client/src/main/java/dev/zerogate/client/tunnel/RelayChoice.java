package dev.zerogate.client.tunnel;

import dev.zerogate.client.login.ClientAccess;
import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.client.policy.PolicyEndpoint;
import dev.zerogate.edge.UrlPolicy;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.TunnelProtocol;
import dev.zerogate.tunnel.netty.RelayTls;
import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The relays a tunnel may use: those the deployment published at login, each with the
 * preamble key the control plane gave for it (never one a relay offers). {@code --relay-url} or
 * {@code $ZEROGATE_RELAY_URL} chooses one of them; an unpublished relay is refused. With
 * several, the one whose TCP (and TLS) handshake is fastest goes first; the order is measured
 * when the tunnel starts and again after a relay failed.
 */
final class RelayChoice {

    static final String ENVIRONMENT = "ZEROGATE_RELAY_URL";
    /** Longer than any handshake to a relay that works; a slower one is ranked last. */
    static final int MEASURE_TIMEOUT_MILLIS = 3_000;

    /** A published relay, ready to dial: its address, key, and outer TLS for an https:// URL (else null). */
    record Relay(URI url, InetSocketAddress address, RelayKey key, RelayTls outerTls) {
    }

    private record Measured(Relay relay, long nanos) {
    }

    /** Measurements block on sockets: never on an event loop. */
    private static final Executor MEASURING = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "relay-measure");
        thread.setDaemon(true);
        return thread;
    });

    private final List<Relay> relays;
    private final ClientAccess access;
    /** The current order, best first; replaced by a new measurement after a failure. */
    private volatile CompletableFuture<List<Relay>> order;

    private RelayChoice(List<Relay> relays, ClientAccess access) {
        this.relays = List.copyOf(relays);
        this.access = access;
        this.order = measure();
    }

    /**
     * The published relays of {@code saved}, or the one {@code option} / {@code environment} chose among them.
     *
     * @throws PolicyEndpoint.UnknownException the credentials predate discovery, no relay is published,
     *                                         a chosen relay is not published, or a URL would carry tokens in clear
     */
    static RelayChoice of(LoginCredentials saved, String option, String environment, ClientAccess access)
            throws PolicyEndpoint.UnknownException {
        if (!saved.fromDiscovery()) {
            throw new PolicyEndpoint.UnknownException(LoginCredentials.LOG_IN_AGAIN);
        }
        if (saved.relays().isEmpty()) {
            throw new PolicyEndpoint.UnknownException("the deployment publishes no relay (ZEROGATE_PUBLIC_RELAYS on identity-svc is empty);"
                    + " ask its operator, then log in again");
        }
        SslContext tls = null;
        List<Relay> published = new ArrayList<>();
        try {
            for (LoginCredentials.SavedRelay saved1 : saved.relays()) {
                URI url = access.urls().check(saved1.url(), "the published relay");
                RelayTls outer = null;
                if (UrlPolicy.tls(url)) {
                    tls = tls != null ? tls : RelayTls.clientContext(access.trust().trustManager());
                    outer = new RelayTls(tls, UrlPolicy.host(url), UrlPolicy.port(url));
                }
                published.add(new Relay(url, InetSocketAddress.createUnresolved(UrlPolicy.host(url), UrlPolicy.port(url)),
                        RelayKey.fromPublic(saved1.preambleKey()), outer));
            }
        } catch (IllegalArgumentException e) {
            throw new PolicyEndpoint.UnknownException(e.getMessage());
        } catch (IOException e) {
            throw new PolicyEndpoint.UnknownException("cannot set up TLS to the relays: " + e.getMessage());
        }
        String chosen = option != null ? option : environment != null && !environment.isBlank() ? environment : null;
        if (chosen != null) {
            String source = option != null ? "--relay-url" : ENVIRONMENT;
            URI wanted;
            try {
                wanted = UrlPolicy.parse(chosen, source);
            } catch (UrlPolicy.RefusedUrlException e) {
                throw new PolicyEndpoint.UnknownException(e.getMessage());
            }
            List<Relay> matching = published.stream().filter(relay -> same(relay.url(), wanted)).toList();
            if (matching.isEmpty()) {
                throw new PolicyEndpoint.UnknownException(source + " " + wanted + " is not a relay this deployment publishes ("
                        + String.join(", ", published.stream().map(relay -> relay.url().toString()).toList())
                        + "): only a published relay has a key from the control plane. Choose one of them, or leave it out.");
            }
            published = matching;
        }
        return new RelayChoice(published, access);
    }

    private static boolean same(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && UrlPolicy.port(a) == UrlPolicy.port(b);
    }

    List<Relay> published() {
        return relays;
    }

    /** The relays, best first, once the current measurement is done. */
    CompletableFuture<List<Relay>> ordered() {
        return order.exceptionally(failure -> relays);
    }

    /** The best relay known now, for {@code zerogate status}. */
    String current() {
        List<Relay> now = order.getNow(null);
        return (now == null || now.isEmpty() ? relays : now).get(0).url().toString();
    }

    /** A relay failed: measure again, unless a measurement is already running. */
    void failed() {
        if (relays.size() > 1 && order.isDone()) {
            order = measure();
        }
    }

    private CompletableFuture<List<Relay>> measure() {
        if (relays.size() == 1) {
            return CompletableFuture.completedFuture(relays);
        }
        List<CompletableFuture<Measured>> timings = relays.stream()
                .map(relay -> CompletableFuture.supplyAsync(() -> new Measured(relay, handshakeNanos(relay)), MEASURING)).toList();
        return CompletableFuture.allOf(timings.toArray(CompletableFuture[]::new)).thenApply(done -> timings.stream()
                .map(CompletableFuture::join)
                .sorted(Comparator.comparingLong(Measured::nanos))
                .map(Measured::relay).toList());
    }

    /** How long a TCP connect (and for https the TLS handshake) to {@code relay} takes; {@code Long.MAX_VALUE} if it fails. */
    long handshakeNanos(Relay relay) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(relay.address().getHostString(), relay.address().getPort()), MEASURE_TIMEOUT_MILLIS);
            socket.setSoTimeout(MEASURE_TIMEOUT_MILLIS);
            if (relay.outerTls() != null) {
                try (SSLSocket tls = (SSLSocket) access.trust().sslContext().getSocketFactory()
                        .createSocket(socket, relay.address().getHostString(), relay.address().getPort(), false)) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    parameters.setApplicationProtocols(new String[]{TunnelProtocol.RELAY_ALPN});
                    if (!UrlPolicy.isLoopback(relay.url().getHost()) && !relay.url().getHost().startsWith("[")
                            && !relay.url().getHost().matches("[0-9.]+")) {
                        parameters.setServerNames(List.of(new SNIHostName(relay.url().getHost())));
                    }
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();
                }
            }
            return System.nanoTime() - start;
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }
}
