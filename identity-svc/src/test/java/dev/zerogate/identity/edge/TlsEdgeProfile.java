package dev.zerogate.identity.edge;

import dev.zerogate.testkit.tls.TestTlsFiles;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * identity-svc with {@code ZEROGATE_TLS_CERT} / {@code ZEROGATE_TLS_KEY} set to certbot-shaped
 * files of a test CA, re-read every second.
 */
public class TlsEdgeProfile implements QuarkusTestProfile {

    /** The files of this test JVM; tests renew them. */
    public static final TestTlsFiles FILES;

    static {
        try {
            FILES = new TestTlsFiles(Files.createTempDirectory("zerogate-identity-tls"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("zerogate.tls.cert", FILES.certFile().toString(),
                "zerogate.tls.key", FILES.keyFile().toString(),
                "zerogate.tls.reload-period", "1s");
    }
}
