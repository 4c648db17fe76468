package dev.zerogate.policy.edge;

import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.tls.TestTlsFiles;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * A private-CA deployment: policy-svc serves TLS from PEM files of a test CA, trusts that CA
 * ({@code ZEROGATE_CA_FILE}) and reaches identity-svc (the JWKS) over https signed by it.
 */
public class PrivateCaEdgeProfile implements QuarkusTestProfile {

    static final TestTlsFiles FILES;
    static final TlsIdentityFront IDENTITY;

    static {
        try {
            FILES = new TestTlsFiles(Files.createTempDirectory("zerogate-policy-tls"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IDENTITY = new TlsIdentityFront(FILES);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("zerogate.tls.cert", FILES.certFile().toString(),
                "zerogate.tls.key", FILES.keyFile().toString(),
                "zerogate.ca-file", FILES.caFile().toString(),
                "zerogate.policy.identity.url", IDENTITY.url(),
                "zerogate.policy.identity.issuer", TestIdentity.instance().url());
    }
}
