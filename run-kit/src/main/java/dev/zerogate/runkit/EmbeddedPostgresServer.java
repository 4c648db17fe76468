package dev.zerogate.runkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL from the Maven binaries (zonky), with its data in a directory that
 * outlives the process, so that a second start reuses it.
 *
 * <p>Layout under {@code home}: {@code pgdata/} (the cluster) and {@code secrets/} (0700,
 * passwords in 0600 files). Nothing secret is fixed in code: the superuser password and one
 * password per service role are generated at first start. The cluster listens on loopback only
 * and, after {@code initdb}, accepts TCP logins by SCRAM password only: {@code initdb} itself
 * runs with {@code -A trust} (zonky fixes that flag), so the password is set through
 * {@code --pwfile} and {@code pg_hba.conf} is rewritten before the first start.
 *
 * <p>Used by the local run (persistent home) and by the tests (a temporary home).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The cluster's superuser; zonky's {@code initdb} always names it so. */
    public static final String SUPERUSER = "postgres";

    private static final String HBA_MARKER = "# zerogate: password authentication only";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final Secrets secrets;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Secrets secrets) {
        this.postgres = postgres;
        this.secrets = secrets;
    }

    /**
     * Starts PostgreSQL with its cluster in {@code home/pgdata}, creating the cluster on first
     * use and reusing it afterwards.
     *
     * @param home directory for the cluster and its secrets; created 0700 if missing
     * @param port TCP port on loopback
     * @param log  file that receives PostgreSQL's own output (appended)
     */
    public static EmbeddedPostgresServer start(Path home, int port, Path log) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Secrets secrets = Secrets.in(home.resolve("secrets"));
        Path dataDir = home.resolve("pgdata");
        String superuserPassword = secrets.getOrCreate(SUPERUSER);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setPGStartupWait(STARTUP_WAIT)
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setConnectConfig("password", superuserPassword)
                .setDataDirectoryCustomizer(dir -> requirePasswords(dir.toPath()));
        if (!Files.exists(dataDir.resolve("postgresql.conf"))) {
            // Read only by initdb, for a cluster that does not exist yet.
            builder.setLocaleConfig("pwfile", secrets.file(SUPERUSER).toString());
        }
        return new EmbeddedPostgresServer(builder.start(), secrets);
    }

    /** Replaces initdb's trust rules: every TCP login needs a password. Idempotent. */
    private static void requirePasswords(Path dataDir) {
        Path hba = dataDir.resolve("pg_hba.conf");
        try {
            if (Files.readString(hba).contains(HBA_MARKER)) {
                return;
            }
            Files.writeString(hba, HBA_MARKER + "\n"
                    + "local all all scram-sha-256\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot secure " + hba, e);
        }
    }

    /**
     * Makes sure a database and a role that owns it exist, with the role's password from the
     * secrets directory (generated on first use). Safe to call on every start.
     *
     * @param name used for both the database and its owning role; lower-case identifier
     */
    public DatabaseLogin ensureDatabase(String name) throws IOException {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain lower-case identifier: " + name);
        }
        String password = secrets.getOrCreate(name);
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            boolean roleExists = exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", name);
            try (Statement s = c.createStatement()) {
                // DDL takes no bind parameters; the name is a checked identifier and the
                // password is generated base64url text without quotes.
                s.execute((roleExists ? "ALTER" : "CREATE") + " ROLE " + name
                        + " LOGIN PASSWORD '" + password + "'");
                if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
                    s.execute("CREATE DATABASE " + name + " OWNER " + name);
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot prepare database " + name + ": " + e.getMessage(), e);
        }
        return new DatabaseLogin("127.0.0.1", port(), name, name, password);
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** Stops the server ({@code pg_ctl stop -m fast}); the data directory stays. */
    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
