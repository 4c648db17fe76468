package dev.zerogate.server;

import dev.zerogate.runkit.ChildServices;
import dev.zerogate.runkit.DatabaseLogin;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.tunnel.RelayKey;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One public host's zerogate: PostgreSQL (embedded, when asked), identity-svc, policy-svc and
 * the relay, started in that order, each waited for until ready. identity-svc goes first: it
 * makes the other two services' accounts (its bootstrap) and publishes the relay's key, which
 * is made here before anything starts. {@link #close()} stops the services in reverse order,
 * then PostgreSQL.
 */
final class ServerStack implements AutoCloseable {

    /** A start that did not complete; the message is for the person at the terminal. */
    static final class StartFailure extends Exception {
        StartFailure(String message) {
            super(message);
        }
    }

    private final ServerOptions options;
    private final ServerPlan plan;
    private final ChildServices children;
    private final PrintStream out;
    /** Guarded by this. */
    private EmbeddedPostgresServer postgres;
    /** Guarded by this. */
    private boolean closed;
    private volatile RelayKey relayKey;

    ServerStack(ServerOptions options, PrintStream out) {
        this.options = options;
        this.plan = new ServerPlan(options);
        this.children = new ChildServices(out, options.readyTimeout());
        this.out = out;
    }

    void start() throws StartFailure, InterruptedException {
        try {
            startAll();
        } catch (StartFailure e) {
            close();
            throw e;
        } catch (ChildServices.ChildFailure e) {
            close();
            throw new StartFailure(e.getMessage());
        } catch (IOException | RuntimeException e) {
            close();
            throw new StartFailure("start failed: " + e.getMessage());
        }
    }

    private void startAll() throws StartFailure, ChildServices.ChildFailure, IOException, InterruptedException {
        List<Path> applications = new ArrayList<>();
        for (String service : List.of(ServerPlan.IDENTITY, ServerPlan.POLICY, ServerPlan.RELAY)) {
            Path app = options.projectDir().resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.isRegularFile(app)) {
                throw new StartFailure(service + " is not built (" + app + " is missing): run ./mvnw package -DskipTests");
            }
            applications.add(app);
        }
        Map<String, Map<String, String>> databases = databases();
        relayKey = RelayKeyFile.loadOrCreate(plan.relayStateDir());
        out.printf("relay preamble key %s (public %s)%n", relayKey.keyIdText(), relayKey.publicText());

        boolean tls = options.tlsCert().isPresent();
        String healthHost = options.listenHost().equals("0.0.0.0") || options.listenHost().equals("::") ? "127.0.0.1" : options.listenHost();
        ChildServices.Child identity = launch(ServerPlan.IDENTITY, applications.get(0),
                plan.identity(databases.get("zerogate_identity"), relayKey.publicText()), healthHost, options.identityPort(), tls);
        children.awaitReady(identity);
        ChildServices.Child policy = launch(ServerPlan.POLICY, applications.get(1), plan.policy(databases.get("zerogate_policy")),
                healthHost, options.policyPort(), tls);
        // The relay reports its connectors to policy-svc from its first second: start it once there is one to report to.
        children.awaitReady(policy);
        ChildServices.Child relay = launch(ServerPlan.RELAY, applications.get(2), plan.relay(), "127.0.0.1", options.relayHttpPort(), false);
        children.awaitReady(relay);
    }

    private Map<String, Map<String, String>> databases() throws StartFailure {
        Map<String, Map<String, String>> environments = new LinkedHashMap<>();
        if (options.embeddedPostgresPort().isEmpty()) {
            options.databases().forEach((name, url) -> environments.put(name, url.environment()));
            return environments;
        }
        int port = options.embeddedPostgresPort().get();
        Path log = options.logDir().resolve("postgres.log");
        out.printf("starting PostgreSQL on 127.0.0.1:%d (data in %s)%n", port, options.home().resolve("pgdata"));
        try {
            Files.createDirectories(options.logDir());
            EmbeddedPostgresServer started = EmbeddedPostgresServer.start(options.home(), port, log);
            synchronized (this) {
                postgres = started;
                if (closed) {
                    started.close();
                    throw new IOException("stopped while starting");
                }
            }
            for (String name : ServerOptions.DATABASES) {
                DatabaseLogin login = started.ensureDatabase(name);
                Map<String, String> env = new LinkedHashMap<>();
                env.put("QUARKUS_DATASOURCE_REACTIVE_URL", login.reactiveUrl());
                env.put("QUARKUS_DATASOURCE_JDBC_URL", login.jdbcUrl());
                env.put("QUARKUS_DATASOURCE_USERNAME", login.username());
                env.put("QUARKUS_DATASOURCE_PASSWORD", login.password());
                environments.put(name, env);
            }
            return environments;
        } catch (IOException | RuntimeException e) {
            throw new StartFailure("PostgreSQL failed to start: " + e.getMessage() + " (log: " + log + ")");
        }
    }

    private ChildServices.Child launch(String service, Path application, Map<String, String> env, String healthHost, int port,
                                       boolean tls) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(options.javaCommand());
        command.addAll(options.jvmOptions());
        command.add("-jar");
        command.add(application.toString());
        out.printf("starting %s%n", service);
        return children.launch(service, command, env, options.logDir().resolve(service + ".log"), healthHost, port, tls);
    }

    RelayKey relayKey() {
        return relayKey;
    }

    /** The first admin's setup link identity-svc printed during this start, if no admin exists yet. */
    java.util.Optional<String> setupLink() {
        String thisStart = ChildServices.thisStartsLog(options.logDir().resolve(ServerPlan.IDENTITY + ".log"));
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("(http\\S+/setup\\?token=[A-Za-z0-9_-]+)").matcher(thisStart);
        String last = null;
        while (link.find()) {
            last = link.group(1);
        }
        return java.util.Optional.ofNullable(last);
    }

    @Override
    public void close() {
        EmbeddedPostgresServer database;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            database = postgres;
        }
        children.close();
        if (database != null) {
            try {
                database.close();
            } catch (IOException e) {
                out.println("PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }
}
