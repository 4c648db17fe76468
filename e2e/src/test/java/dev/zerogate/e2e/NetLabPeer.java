package dev.zerogate.e2e;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A JVM that {@link NetLabTest} runs inside a lab namespace: connects to {@code args[0]:args[1]}
 * and prints the first line the server sends.
 */
public final class NetLabPeer {

    private NetLabPeer() {
    }

    public static void main(String[] args) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 5000);
            socket.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            System.out.println(in.readLine());
        }
    }
}
