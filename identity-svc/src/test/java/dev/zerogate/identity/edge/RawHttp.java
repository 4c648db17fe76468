package dev.zerogate.identity.edge;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand, so that a test chooses every header (a forged {@code Host}) and the
 * address the request comes from (127.0.0.2 is loopback too, and not 127.0.0.1).
 */
final class RawHttp {

    private RawHttp() {
    }

    /** The whole response (status line, headers, body) to {@code head} + {@code body}. */
    static String exchange(String fromAddress, int port, String head, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5_000);
            socket.setSoTimeout(10_000);
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Content-Length: " + content.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(content);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String get(String fromAddress, int port, String path, String... headers) throws IOException {
        return exchange(fromAddress, port, "GET " + path + " HTTP/1.1\r\n" + String.join("", headers), "");
    }

    static String postForm(String fromAddress, int port, String path, String form, String... headers) throws IOException {
        return exchange(fromAddress, port, "POST " + path + " HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + String.join("", headers), form);
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }
}
