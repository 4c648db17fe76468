package dev.zerogate.servicekit.edge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentTrustTest {

    @TempDir
    Path dir;

    @Test
    void withoutACaFileTrustsTheSystemCasOnly() {
        DeploymentTrust trust = DeploymentTrust.systemAnd(Optional.empty());
        assertEquals(0, trust.extraCertificates());
        assertTrue(trust.trustManager().getAcceptedIssuers().length > 0);
    }

    @Test
    void refusesAMissingCaFileNamingIt() {
        Path missing = dir.resolve("ca.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeploymentTrust.systemAnd(Optional.of(missing)));
        assertTrue(e.getMessage().contains("ZEROGATE_CA_FILE") && e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void refusesACaFileWithoutCertificates() throws Exception {
        Path empty = Files.writeString(dir.resolve("ca.pem"), "nothing here\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeploymentTrust.systemAnd(Optional.of(empty)));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }
}
