package dev.zerogate.policy.edge;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.tls.TestTlsFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * testkit's {@link TestIdentity} behind HTTPS with a certificate of a private test CA: the JWKS
 * is fetched from the plain issuer and served again over TLS, so that policy-svc can only
 * verify tokens if it trusts that CA.
 */
final class TlsIdentityFront {

    private final HttpsServer server;

    TlsIdentityFront(TestTlsFiles files) {
        try {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(files.serverContext()));
        HttpClient plain = HttpClient.newHttpClient();
        server.createContext("/oauth2/jwks", exchange -> {
            try {
                HttpResponse<byte[]> jwks = plain.send(HttpRequest.newBuilder(URI.create(TestIdentity.instance().url() + "/oauth2/jwks")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                exchange.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
                exchange.sendResponseHeaders(jwks.statusCode(), jwks.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(jwks.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
            }
        });
        server.start();
    }

    /** {@code https://localhost:<port>}: the certificate names localhost and 127.0.0.1. */
    String url() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }
}
