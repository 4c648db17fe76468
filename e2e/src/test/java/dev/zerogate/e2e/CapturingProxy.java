package dev.zerogate.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder in front of a relay that keeps a copy of every byte it passes, both ways:
 * what the relay received and sent, as a network observer of the relay leg would see it.
 */
final class CapturingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();

    CapturingProxy(int targetPort) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket outside = server.accept();
                    Socket inside;
                    try {
                        inside = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    } catch (IOException relayDown) {
                        outside.close(); // as a refused connection would: the relay may be restarting
                        continue;
                    }
                    synchronized (sockets) {
                        sockets.add(outside);
                        sockets.add(inside);
                    }
                    pump(outside, inside);
                    pump(inside, outside);
                } catch (IOException e) {
                    return;
                }
            }
        }, "capturing-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try {
                // Not closed here: closing a socket's stream closes the socket, and the other
                // direction may still be running. EOF is passed on as a half-close.
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (captured) {
                        captured.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException ignored) {
                // either side closed
            }
        }, "capturing-pump");
        thread.setDaemon(true);
        thread.start();
    }

    byte[] captured() {
        synchronized (captured) {
            return captured.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
