package dev.zerogate.client.tunnel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerogate.client.login.ConfigDirectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * How a running tunnel ({@code up}, {@code forward}, {@code connect}) tells {@code zerogate
 * status} what it holds: a small JSON file per process, {@code run/<pid>.json} in the
 * configuration directory (0600), rewritten every {@link #PERIOD} and deleted when the
 * process stops. A file whose process is gone (killed, crashed) is ignored and removed by the
 * next reader; one not rewritten for {@link #STALE_AFTER} is shown as not responding.
 */
public final class TunnelStatusFile implements AutoCloseable {

    static final String DIRECTORY = "run";
    static final Duration PERIOD = Duration.ofSeconds(2);
    static final Duration STALE_AFTER = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One running tunnel, as written. Times are epoch seconds; absent ones are 0. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(@JsonProperty("pid") long pid,
                 @JsonProperty("command") String command,
                 @JsonProperty("started_at") long startedAt,
                 @JsonProperty("updated_at") long updatedAt,
                 @JsonProperty("relay") String relay,
                 @JsonProperty("sessions") int sessions,
                 @JsonProperty("open_flows") int openFlows,
                 @JsonProperty("flows_opened") long flowsOpened,
                 @JsonProperty("flows_failed") long flowsFailed,
                 @JsonProperty("access_token_expires_at") long accessTokenExpiresAt,
                 @JsonProperty("last_refreshed_at") long lastRefreshedAt,
                 @JsonProperty("certificate_expires_at") long certificateExpiresAt,
                 @JsonProperty("certificate_renew_at") long certificateRenewAt,
                 @JsonProperty("session_ended") String sessionEnded) {
    }

    private final ConfigDirectory config;
    private final String name;
    private final Supplier<Entry> source;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "zerogate-status");
        thread.setDaemon(true);
        return thread;
    });

    private TunnelStatusFile(ConfigDirectory config, Supplier<Entry> source) {
        this.config = config;
        this.name = DIRECTORY + "/" + ProcessHandle.current().pid() + ".json";
        this.source = source;
    }

    /** Writes {@code source}'s entry now and every {@link #PERIOD} until closed. */
    static TunnelStatusFile start(ConfigDirectory config, Supplier<Entry> source) throws IOException {
        TunnelStatusFile file = new TunnelStatusFile(config, source);
        Files.createDirectories(config.path(DIRECTORY));
        file.write();
        file.writer.scheduleWithFixedDelay(file::writeQuietly, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return file;
    }

    private void writeQuietly() {
        try {
            write();
        } catch (IOException | RuntimeException e) {
            // The next period tries again; status then shows this tunnel as not responding.
        }
    }

    private void write() throws IOException {
        config.writePrivate(name, JSON.writeValueAsBytes(source.get()));
    }

    /** The running tunnels of {@code config}; files of processes that are gone are deleted. */
    static List<Entry> running(ConfigDirectory config) throws IOException {
        Path directory = config.path(DIRECTORY);
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return entries;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                Entry entry;
                try {
                    entry = JSON.readValue(file.toFile(), Entry.class);
                } catch (IOException e) {
                    continue; // being replaced right now, or not ours
                }
                if (ProcessHandle.of(entry.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    entries.add(entry);
                } else {
                    Files.deleteIfExists(file);
                }
            }
        }
        return entries;
    }

    /** For {@code zerogate status}: what the tunnels running from {@code config} hold, as they last said. */
    public static void printRunning(PrintWriter out, ConfigDirectory config) throws IOException {
        printRunning(out, running(config), Clock.systemUTC());
    }

    /** The tunnels running from this configuration directory ({@code up}, {@code forward}, {@code connect}), as they last said. */
    static void printRunning(PrintWriter out, List<Entry> running, Clock clock) {
        if (running.isEmpty()) {
            out.println("Running:     no zerogate up, forward or connect");
            return;
        }
        for (Entry entry : running) {
            out.printf("Running:     zerogate %s (pid %d, since %s)%s%n", entry.command(), entry.pid(), Instant.ofEpochSecond(entry.startedAt()),
                    isFresh(entry, clock) ? "" : " - NOT RESPONDING since " + Instant.ofEpochSecond(entry.updatedAt()));
            if (entry.sessionEnded() != null) {
                out.printf("  Login:     ENDED: %s%n", entry.sessionEnded());
            } else {
                out.printf("  Login:     access token refreshed %s, valid until %s%n", Instant.ofEpochSecond(entry.lastRefreshedAt()),
                        Instant.ofEpochSecond(entry.accessTokenExpiresAt()));
            }
            out.printf("  Device:    certificate valid until %s (renewal from %s)%n", Instant.ofEpochSecond(entry.certificateExpiresAt()),
                    Instant.ofEpochSecond(entry.certificateRenewAt()));
            out.printf("  Relay:     %s, %s%n", entry.relay(), entry.sessions() == 0 ? "no session open (one is dialled with the next flow)"
                    : entry.sessions() + (entry.sessions() == 1 ? " session" : " sessions") + " connected");
            out.printf("  Flows:     %d open; %d opened and %d failed since it started%n", entry.openFlows(), entry.flowsOpened(),
                    entry.flowsFailed());
        }
    }

    /** Whether {@code entry} was rewritten recently enough to be believed. */
    static boolean isFresh(Entry entry, Clock clock) {
        return Instant.ofEpochSecond(entry.updatedAt()).plus(STALE_AFTER).isAfter(clock.instant());
    }

    @Override
    public void close() {
        writer.shutdownNow();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
            Files.deleteIfExists(config.path(name));
        } catch (IOException e) {
            // The next reader removes a file whose process is gone.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
