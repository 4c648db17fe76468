package dev.zerogate.relay.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up checks of the public port's TLS files: both or neither, readable, a key of the leaf, PKCS#8. */
class ServerTlsTest {

    private static final Duration PERIOD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void withNeitherFileThePortStaysPlain() {
        assertFalse(new ServerTls(Optional.empty(), Optional.empty(), PERIOD).enabled());
    }

    @Test
    void aPairThatLoadsEnablesTls() throws Exception {
        TestPki pki = new TestPki("test CA");
        pki.write(pki.leaf("relay"), dir);
        ServerTls tls = new ServerTls(Optional.of(dir.resolve("fullchain.pem")), Optional.of(dir.resolve("privkey.pem")), PERIOD);
        try {
            assertTrue(tls.enabled());
        } finally {
            tls.stop();
        }
    }

    @Test
    void onlyOneOfTheTwoIsAStartUpErrorNamingBoth() {
        IllegalStateException certOnly = assertThrows(IllegalStateException.class,
                () -> new ServerTls(Optional.of(dir.resolve("fullchain.pem")), Optional.empty(), PERIOD));
        assertTrue(certOnly.getMessage().startsWith("ZEROGATE_TLS_CERT") && certOnly.getMessage().contains("ZEROGATE_TLS_KEY"),
                certOnly.getMessage());
        IllegalStateException keyOnly = assertThrows(IllegalStateException.class,
                () -> new ServerTls(Optional.empty(), Optional.of(dir.resolve("privkey.pem")), PERIOD));
        assertTrue(keyOnly.getMessage().startsWith("ZEROGATE_TLS_KEY") && keyOnly.getMessage().contains("ZEROGATE_TLS_CERT"),
                keyOnly.getMessage());
    }

    @Test
    void anUnreadableFileIsAStartUpErrorNamingItsVariable() throws Exception {
        TestPki pki = new TestPki("test CA");
        pki.write(pki.leaf("relay"), dir);
        IllegalStateException missingKey = assertThrows(IllegalStateException.class,
                () -> new ServerTls(Optional.of(dir.resolve("fullchain.pem")), Optional.of(dir.resolve("nope.pem")), PERIOD));
        assertTrue(missingKey.getMessage().startsWith("ZEROGATE_TLS_KEY") && missingKey.getMessage().contains("nope.pem"),
                missingKey.getMessage());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedWithoutShowingTheKey() throws Exception {
        TestPki pki = new TestPki("test CA");
        pki.write(pki.leaf("relay"), dir);
        KeyPair other = TestPki.newKey();
        TestPki.writeKey(other.getPrivate(), dir);
        String keyText = Files.readString(dir.resolve("privkey.pem"));
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new ServerTls(Optional.of(dir.resolve("fullchain.pem")), Optional.of(dir.resolve("privkey.pem")), PERIOD));
        assertTrue(error.getMessage().contains("does not belong"), error.getMessage());
        String body = keyText.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();
        assertFalse(error.getMessage().contains(body), "the key's bytes are not in the message");
    }

    @Test
    void aKeyInAnotherPemFormatIsRefusedWithHowToConvertIt() throws Exception {
        TestPki pki = new TestPki("test CA");
        pki.write(pki.leaf("relay"), dir);
        Files.writeString(dir.resolve("privkey.pem"), "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new ServerTls(Optional.of(dir.resolve("fullchain.pem")), Optional.of(dir.resolve("privkey.pem")), PERIOD));
        assertTrue(error.getMessage().contains("EC PRIVATE KEY") && error.getMessage().contains("pkcs8"), error.getMessage());
    }
}
