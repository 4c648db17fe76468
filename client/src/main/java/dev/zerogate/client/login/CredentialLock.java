package dev.zerogate.client.login;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The exclusive lock on one configuration directory's credentials: every {@code zerogate}
 * process that refreshes, saves or deletes them holds it, so that two processes never spend
 * the same refresh token (identity-svc would see the second use as theft and end the session).
 *
 * <p>Across processes it is an advisory lock on {@code credentials.lock} (fcntl on Linux,
 * released by the kernel if the holder dies); within one JVM a {@link ReentrantLock} per
 * directory comes first, because a JVM may hold only one {@link FileLock} on a file. The lock
 * file holds the holder's pid, for the message of a process that waits too long.
 */
public final class CredentialLock {

    static final String FILE = "credentials.lock";
    /** How long a process waits for another that holds the lock (a refresh takes at most ~15 s). */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private static final long POLL_MILLIS = 25;
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    /** Work done while holding the lock. */
    public interface Locked<T> {
        T run() throws IOException, InterruptedException;
    }

    private CredentialLock() {
    }

    /** Runs {@code work} holding the lock of {@code config}; waits at most {@code wait} for it. */
    public static <T> T holding(ConfigDirectory config, Duration wait, Locked<T> work) throws IOException, InterruptedException {
        Path file = config.path(FILE);
        Files.createDirectories(file.getParent());
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), path -> new ReentrantLock());
        long deadline = System.nanoTime() + wait.toNanos();
        if (!local.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IOException("another thread of this process has held the credentials lock for " + wait.toSeconds() + " s");
        }
        try {
            if (local.getHoldCount() > 1) {
                return work.run(); // re-entered: the file lock is already ours
            }
            try (FileChannel channel = FileChannel.open(file, java.util.EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                FileLock lock = channel.tryLock();
                while (lock == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("another zerogate process (" + holderOf(file) + ") has held the credentials lock in "
                                + file.getParent() + " for " + wait.toSeconds() + " s; try again, or stop that process");
                    }
                    Thread.sleep(POLL_MILLIS);
                    lock = channel.tryLock();
                }
                try {
                    channel.truncate(0).write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                    return work.run();
                } finally {
                    lock.release();
                }
            }
        } finally {
            local.unlock();
        }
    }

    private static String holderOf(Path file) {
        try {
            String pid = Files.readString(file).strip();
            return pid.isEmpty() ? "pid unknown" : "pid " + pid;
        } catch (IOException e) {
            return "pid unknown";
        }
    }
}
