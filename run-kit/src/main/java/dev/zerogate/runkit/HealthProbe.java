package dev.zerogate.runkit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

/**
 * Asks a service this supervisor started whether it is ready: {@code GET /q/health/ready} over
 * a plain socket, in TLS when the service serves TLS. The certificate is not checked: the
 * probe sends nothing secret and connects to a process it started itself, by address, where
 * the certificate names the public host instead. Never use it for anything else.
 */
public final class HealthProbe {

    /** The answer: the status code (0 when none) and the body. */
    public record Answer(int status, String body) {
    }

    private static final int TIMEOUT_MILLIS = 2_000;
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private HealthProbe() {
    }

    public static Answer ready(String host, int port, boolean tls) throws IOException {
        try (Socket socket = tls ? tlsSocket() : new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            if (socket instanceof SSLSocket secured) {
                secured.startHandshake();
            }
            OutputStream out = socket.getOutputStream();
            out.write(("GET /q/health/ready HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
            int space = text.indexOf(' ');
            if (!text.startsWith("HTTP/1.") || space < 0 || text.length() < space + 4) {
                return new Answer(0, text);
            }
            int status = Integer.parseInt(text.substring(space + 1, space + 4));
            int body = text.indexOf("\r\n\r\n");
            return new Answer(status, body < 0 ? "" : text.substring(body + 4));
        } catch (NumberFormatException e) {
            return new Answer(0, "");
        }
    }

    private static Socket tlsSocket() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyCertificate()}, null);
            return context.getSocketFactory().createSocket();
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS here: " + e.getMessage(), e);
        }
    }

    /** See the class comment: this probe proves liveness, not identity. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
