package dev.zerogate.tunnel.netty;

import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS of end-to-end sessions (see {@link TunnelProtocol}): 1.3 only, AES-GCM only (the
 * JDK has AES intrinsics and none for ChaCha20), mutual authentication with zerogate
 * certificates, ALPN {@value TunnelProtocol#ALPN}. The connector is the TLS server.
 *
 * <p>The record layer runs in BoringSSL (netty-tcnative, bundled for Linux x86-64 and
 * AArch64) where it loads, and in the JDK otherwise: on the relayed path the two ends' crypto
 * is most of the CPU a byte costs, and BoringSSL spends less of it per byte than the JDK
 * (ADR 0011 has the figures). Both speak the same TLS 1.3, so either end may run either one.
 * {@code -D}{@value #PROVIDER_PROPERTY}{@code =jdk} forces the JDK (for comparison, or where
 * a native library must not be loaded).
 */
public final class TunnelTls {

    /** System property that selects the TLS implementation: {@code openssl} (default where available) or {@code jdk}. */
    public static final String PROVIDER_PROPERTY = "zerogate.tunnel.tls";

    private static final List<String> CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

    /** The implementation a new session's TLS uses: {@value #PROVIDER_PROPERTY}, BoringSSL when unset and it loads. */
    public static SslProvider provider() {
        return providerFor(System.getProperty(PROVIDER_PROPERTY, "openssl"));
    }

    static SslProvider providerFor(String requested) {
        if ("jdk".equalsIgnoreCase(requested)) {
            return SslProvider.JDK;
        }
        if (!"openssl".equalsIgnoreCase(requested)) {
            throw new IllegalArgumentException(PROVIDER_PROPERTY + " must be openssl or jdk, not " + requested);
        }
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * Netty's BoringSSL binding cannot answer an ALPN mismatch with an alert: its server then
     * answers without ALPN and its client accepts whatever came. {@link #agreedOnAlpn} refuses
     * both after the handshake, on either implementation.
     */
    private static ApplicationProtocolConfig alpn(SslProvider provider) {
        boolean jdk = provider == SslProvider.JDK;
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                jdk ? ApplicationProtocolConfig.SelectorFailureBehavior.FATAL_ALERT
                        : ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                jdk ? ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT
                        : ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                TunnelProtocol.ALPN);
    }

    /** Whether a completed handshake agreed on {@value TunnelProtocol#ALPN}; a session must not start otherwise. */
    public static boolean agreedOnAlpn(SslHandler handshaken) {
        return TunnelProtocol.ALPN.equals(handshaken.applicationProtocol());
    }

    /** The connector's side: presents the connector certificate, requires a device certificate. */
    public static SslContext connectorSide(PrivateKey key, List<X509Certificate> chain, X509TrustManager devices)
            throws SSLException {
        return connectorSide(provider(), key, chain, devices);
    }

    static SslContext connectorSide(SslProvider provider, PrivateKey key, List<X509Certificate> chain,
                                    X509TrustManager devices) throws SSLException {
        return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                .sslProvider(provider).protocols("TLSv1.3").ciphers(CIPHERS)
                .clientAuth(ClientAuth.REQUIRE).trustManager(devices).applicationProtocolConfig(alpn(provider))
                .build();
    }

    /** The client's side: presents the device certificate, accepts only the expected connector. */
    public static SslContext clientSide(PrivateKey key, List<X509Certificate> chain, X509TrustManager connector)
            throws SSLException {
        return clientSide(provider(), key, chain, connector);
    }

    static SslContext clientSide(SslProvider provider, PrivateKey key, List<X509Certificate> chain,
                                 X509TrustManager connector) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(provider).protocols("TLSv1.3").ciphers(CIPHERS)
                .keyManager(key, chain.toArray(X509Certificate[]::new)).trustManager(connector)
                .applicationProtocolConfig(alpn(provider))
                .build();
    }

    private TunnelTls() {
    }
}
