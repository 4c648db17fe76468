package dev.zerogate.tunnel.netty;

import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;

/**
 * The outer TLS of a data-plane connection to a relay whose URL is {@code https://}
 * ({@link TunnelProtocol}, "Relay connection over TLS"): SNI and certificate check for the
 * relay's host name, ALPN {@value TunnelProtocol#RELAY_ALPN}.
 *
 * @param context    a client context made by {@link #clientContext}
 * @param serverName the host of the relay's URL: sent as SNI and required in its certificate
 * @param port       the relay's port (part of the engine's session cache key)
 */
public record RelayTls(SslContext context, String serverName, int port) {

    /** A client context that trusts {@code trust} and offers only the relay ALPN. */
    public static SslContext clientContext(X509TrustManager trust) throws SSLException {
        return SslContextBuilder.forClient()
                .trustManager(trust)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        TunnelProtocol.RELAY_ALPN))
                .build();
    }

    /** A handler that verifies the relay's certificate names {@link #serverName}. */
    SslHandler newHandler(ByteBufAllocator allocator) {
        SslHandler handler = context.newHandler(allocator, serverName, port);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        // Without this a certificate for any name the trust store accepts would do.
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }

    /** Whether the relay agreed on the relay ALPN (an old relay or another server does not). */
    static boolean agreedOnAlpn(SslHandler handler) {
        return TunnelProtocol.RELAY_ALPN.equals(handler.applicationProtocol());
    }
}
