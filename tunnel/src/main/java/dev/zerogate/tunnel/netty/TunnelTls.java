package dev.zerogate.tunnel.netty;

import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS of end-to-end sessions (see {@link TunnelProtocol}): 1.3 only, AES-GCM only (the
 * JDK has AES intrinsics; ChaCha20 is 3–4× slower here), mutual authentication with zerogate
 * certificates, ALPN {@value TunnelProtocol#ALPN}. The connector is the TLS server.
 */
public final class TunnelTls {

    private static final List<String> CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

    private static ApplicationProtocolConfig alpn() {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.FATAL_ALERT,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT, TunnelProtocol.ALPN);
    }

    /** The connector's side: presents the connector certificate, requires a device certificate. */
    public static SslContext connectorSide(PrivateKey key, List<X509Certificate> chain, X509TrustManager devices)
            throws SSLException {
        return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                .sslProvider(SslProvider.JDK).protocols("TLSv1.3").ciphers(CIPHERS)
                .clientAuth(ClientAuth.REQUIRE).trustManager(devices).applicationProtocolConfig(alpn())
                .build();
    }

    /** The client's side: presents the device certificate, accepts only the expected connector. */
    public static SslContext clientSide(PrivateKey key, List<X509Certificate> chain, X509TrustManager connector)
            throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK).protocols("TLSv1.3").ciphers(CIPHERS)
                .keyManager(key, chain.toArray(X509Certificate[]::new)).trustManager(connector)
                .applicationProtocolConfig(alpn())
                .build();
    }

    private TunnelTls() {
    }
}
