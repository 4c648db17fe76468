package dev.zerogate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports for servers that tests start on loopback. */
public final class FreePorts {

    private FreePorts() {
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice). */
    public static int loopback() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first of {@code count} consecutive free loopback ports, searched from a random start
     * between 20000 and 32000, for a stack whose ports are consecutive. Below Linux's ephemeral
     * range (32768 and up): a port chosen there can be taken, between this check and the
     * server's bind, as the source port of any outgoing connection on the machine.
     */
    public static int consecutiveLoopback(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20000 + (int) (Math.random() * (32000 - 20000 - count));
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
