package dev.zerogate.client.login;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A second zerogate process for {@link CredentialStoreTest}: takes the credentials lock of the
 * directory in {@code args[0]}, saves new credentials there as a refresh would (label
 * {@code args[2]}), says "locked" on stdout, and holds the lock {@code args[1]} ms more.
 */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        ConfigDirectory config = ConfigDirectory.at(Path.of(args[0]));
        long holdMillis = Long.parseLong(args[1]);
        CredentialLock.holding(config, Duration.ofSeconds(30), () -> {
            TestCredentials.issued(args[2], Instant.now(), 600).save(config);
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(holdMillis);
            return null;
        });
        System.out.println("released");
    }
}
