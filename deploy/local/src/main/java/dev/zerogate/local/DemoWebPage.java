package dev.zerogate.local;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local run's demo resource: a small web page on 127.0.0.1, standing in for a Pi-hole
 * admin page behind a connector. It says that it was reached and how many times, so that a
 * person following the printed commands sees the tunnel work.
 */
final class DemoWebPage implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService workers;

    private DemoWebPage(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    static DemoWebPage start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        AtomicLong visits = new AtomicLong();
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = page(visits.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        ExecutorService workers = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "demo-web-page");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(workers);
        server.start();
        return new DemoWebPage(server, workers);
    }

    private static String page(long visit) {
        return """
                <!doctype html>
                <html><head><meta charset="utf-8"><title>zerogate demo</title></head>
                <body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
                <h1>%s</h1>
                <p>This page is a private resource of the network <b>local demo</b>. Your request came
                through an end-to-end encrypted session from your zerogate client, through the relay
                (which only forwarded ciphertext), to the connector, which checked your grant and
                its own copy of the policy before it dialled this page.</p>
                <p>Visit %d, served at %s.</p>
                </body></html>
                """.formatted(LocalDemo.WEB_PAGE_HEADING, visit, Instant.now());
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
