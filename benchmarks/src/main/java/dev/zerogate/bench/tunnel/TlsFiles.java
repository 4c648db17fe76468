package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Throwaway credentials for a TLS baseline, made by the openssl command line in a temporary
 * directory at run time: two self-signed ECDSA P-256 certificates, one per end. Each end trusts
 * exactly the other's certificate, which makes the TLS mutual.
 */
record TlsFiles(Path serverCertificate, Path serverKey, Path clientCertificate, Path clientKey) {

    static TlsFiles create(Path dir) throws IOException, InterruptedException {
        return new TlsFiles(certificate(dir, "server"), dir.resolve("server.key"), certificate(dir, "client"), dir.resolve("client.key"));
    }

    private static Path certificate(Path dir, String name) throws IOException, InterruptedException {
        Children.run(dir, Duration.ofSeconds(30), Children.executable("openssl").orElseThrow().toString(),
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=zerogate-bench-" + name);
        return dir.resolve(name + ".pem");
    }
}
