package dev.zerogate.local;

import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.runkit.DatabaseLogin;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole system on one machine: an embedded PostgreSQL, then every service of
 * {@link ServiceSpec#ALL} as a child process, each waited for until its readiness check
 * passes. {@link #close()} stops the services (SIGTERM, then force after a grace period)
 * and then PostgreSQL, which keeps its data.
 *
 * <p>Failures are reported as {@link StartFailure} with a message that names the part
 * that failed and why; whatever was already started is stopped first.
 */
public final class LocalStack implements AutoCloseable {

    /** Where one service of a running stack can be reached. */
    public record RunningService(ServiceSpec spec, int port, Process process, Path log) {
        public String healthUrl() {
            return "http://127.0.0.1:" + port + "/q/health";
        }
    }

    /** A start that did not complete; the message is meant for the person at the terminal. */
    public static final class StartFailure extends Exception {
        private final int exitCode;

        StartFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        /** 2 when the machine is not ready for a start (port taken), 1 when a part failed. */
        public int exitCode() {
            return exitCode;
        }
    }

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 25;
    private static final String CONNECTOR = "connector-svc";

    private final LocalOptions options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    // The three below are guarded by this: close() may run on a shutdown-hook thread while
    // start() is still going, and must stop exactly what has been started.
    private EmbeddedPostgresServer postgres;
    private final List<RunningService> services = new ArrayList<>();
    /** Guarded by this. */
    private final Map<String, Launched> launched = new java.util.HashMap<>();
    private DemoWebPage demoWebPage;
    private boolean closed;
    // Written by start() before it returns; read after.
    private volatile LocalDemo.ConnectorSetup connectorSetup;
    // Used by the start only (one thread).
    private LocalServiceAccounts.Environments serviceAccounts = LocalServiceAccounts.Environments.none();
    private Optional<LocalDemo.Admin> admin = Optional.empty();

    private LocalStack(LocalOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** A stack that has not started yet; {@link #start()} starts it, {@link #close()} stops it. */
    public static LocalStack of(LocalOptions options, PrintStream out) {
        return new LocalStack(options, out);
    }

    /**
     * Starts everything and returns once every service reports ready. On failure, whatever
     * was started has been stopped again when this throws.
     */
    public LocalStack start() throws StartFailure {
        try {
            startAll();
            return this;
        } catch (StartFailure e) {
            close();
            throw e;
        } catch (IOException | RuntimeException e) {
            close();
            throw new StartFailure(1, "start failed: " + e.getMessage());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new StartFailure(1, "start interrupted");
        }
    }

    private void startAll() throws StartFailure, IOException, InterruptedException {
        List<Path> applications = new ArrayList<>();
        for (ServiceSpec spec : ServiceSpec.ALL) {
            Path app = options.applicationOf(spec);
            if (!Files.isRegularFile(app)) {
                throw new StartFailure(1, spec.name() + " is not built (" + app + " is missing): run ./mvnw package -DskipTests");
            }
            applications.add(app);
        }
        checkPortsFree();
        Files.createDirectories(options.logDir());

        int postgresPort = options.portBase() + ServiceSpec.POSTGRES_PORT_OFFSET;
        out.printf("starting PostgreSQL on 127.0.0.1:%d (data in %s)%n", postgresPort, options.home().resolve("pgdata"));
        try {
            EmbeddedPostgresServer started = EmbeddedPostgresServer.start(options.home(), postgresPort, options.logDir().resolve("postgres.log"));
            synchronized (this) {
                postgres = started;
                if (closed) {
                    started.close();
                    throw new IOException("stopped while starting");
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new StartFailure(1, "PostgreSQL failed to start: " + e.getMessage()
                    + " (log: " + options.logDir().resolve("postgres.log") + ")");
        }

        for (int i = 0; i < ServiceSpec.ALL.size(); i++) {
            ServiceSpec spec = ServiceSpec.ALL.get(i);
            Map<String, String> env = new LinkedHashMap<>();
            if (spec.database().isPresent()) {
                DatabaseLogin login = postgres.ensureDatabase(spec.database().get());
                env.put("QUARKUS_DATASOURCE_REACTIVE_URL", login.reactiveUrl());
                env.put("QUARKUS_DATASOURCE_JDBC_URL", login.jdbcUrl());
                env.put("QUARKUS_DATASOURCE_USERNAME", login.username());
                // In the environment, not on the command line: other users can read argv.
                env.put("QUARKUS_DATASOURCE_PASSWORD", login.password());
            }
            env.putAll(options.extraEnvironment(spec));
            if (spec.name().equals("identity-svc")) {
                // The discovery document names policy-svc and the relay with its key: the key is
                // made now, in the relay's state directory, and the relay loads it when it starts.
                env.put("ZEROGATE_PUBLIC_POLICY_URL", options.policyUrl());
                env.put("ZEROGATE_PUBLIC_RELAYS", RelayKeyFile.publicEntry(options.relayUrl(), options.relayStateDir()));
            }
            if (spec.name().equals("policy-svc")) {
                env.putAll(prepareControlPlane().policy());
            }
            if (spec.name().equals("relay-svc")) {
                env.putAll(serviceAccounts.relay());
            }
            if (spec.name().equals(CONNECTOR)) {
                // The connector is provisioned through the others: they must be up first.
                awaitAllReady();
                env.putAll(prepareConnector());
            }
            launch(spec, applications.get(i), env);
        }
        for (RunningService service : services()) {
            awaitReady(service);
        }
        Optional<LocalDemo.Provisioned> demo = demo();
        if (demo.isPresent()) {
            awaitRegistration(demo.get());
        }
    }

    private void awaitAllReady() throws StartFailure, InterruptedException {
        for (RunningService service : services()) {
            awaitReady(service);
        }
    }

    /**
     * With the demo on: the run's own admin is created on a first start, and the service
     * accounts of policy-svc and the relay are read, or made as that admin. Returns their settings.
     */
    private LocalServiceAccounts.Environments prepareControlPlane() throws StartFailure, InterruptedException {
        serviceAccounts = LocalServiceAccounts.Environments.none();
        if (!options.demo()) {
            return serviceAccounts;
        }
        // The service accounts (policy-svc's and the relay's) are made by the admin, in identity-svc.
        awaitAllReady();
        Optional<String> setupToken = LocalRun.setupLink(options).map(link -> link.substring(link.indexOf("token=") + "token=".length()));
        try {
            admin = LocalDemo.ownAdmin(options, setupToken);
            serviceAccounts = LocalServiceAccounts.ensure(options, admin);
        } catch (IOException e) {
            throw new StartFailure(1, "the local run could not act as its admin: " + e.getMessage() + " (logs: " + options.logDir() + ")");
        }
        return serviceAccounts;
    }

    /** The demo's web page and provisioning (when the run has the demo on): the connector's environment. */
    private Map<String, String> prepareConnector() throws StartFailure, IOException {
        if (!options.demo()) {
            return Map.of();
        }
        DemoWebPage page = DemoWebPage.start(options.portBase() + LocalDemo.WEB_PAGE_PORT_OFFSET);
        synchronized (this) {
            demoWebPage = page;
        }
        try {
            connectorSetup = LocalDemo.prepare(options, admin);
        } catch (IOException e) {
            throw new StartFailure(1, "the demo could not be provisioned: " + e.getMessage()
                    + " (logs: " + options.logDir() + ")");
        }
        return connectorSetup.environment();
    }

    /** The demo, when this run has it provisioned. */
    public Optional<LocalDemo.Provisioned> demo() {
        LocalDemo.ConnectorSetup setup = connectorSetup;
        return setup == null ? Optional.empty() : setup.demo();
    }

    /** Why the run has no demo although it was asked for, if so. */
    public Optional<String> demoNotProvisioned() {
        LocalDemo.ConnectorSetup setup = connectorSetup;
        return setup == null ? Optional.empty() : setup.notProvisioned();
    }

    /**
     * Waits until the relay has the demo's connector registered, so that the printed commands
     * work when they are printed. A connector that does not register fails the start: its log
     * says why (for example, credentials lost from its state directory).
     */
    private void awaitRegistration(LocalDemo.Provisioned demo) throws StartFailure, InterruptedException {
        RunningService relay = service("relay-svc");
        RunningService connector = service(CONNECTOR);
        String registered = "connector " + demo.connectorId() + " of network " + demo.networkId() + " registered";
        Instant deadline = Instant.now().plus(options.readyTimeout());
        while (Instant.now().isBefore(deadline)) {
            if (thisStartsLog(relay.log()).contains(registered)) {
                return;
            }
            if (!connector.process().isAlive()) {
                throw new StartFailure(1, CONNECTOR + " exited with code " + connector.process().exitValue()
                        + ". Last lines of " + connector.log() + ":\n" + tail(connector.log()));
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new StartFailure(1, "the demo's connector did not register with the relay within " + options.readyTimeout().toSeconds()
                + " s. Last lines of " + connector.log() + ":\n" + tail(connector.log()));
    }

    private RunningService service(String name) {
        return services().stream().filter(s -> s.spec().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " is not running"));
    }

    /** The part of an appended service log written since this start's "---- " line. */
    static String thisStartsLog(Path log) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.lastIndexOf("---- ")));
        } catch (IOException e) {
            return "";
        }
    }

    /** Every port the stack needs must be free before anything starts. */
    private void checkPortsFree() throws StartFailure {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put("PostgreSQL", options.portBase() + ServiceSpec.POSTGRES_PORT_OFFSET);
        for (ServiceSpec spec : ServiceSpec.ALL) {
            wanted.put(spec.name(), spec.port(options.portBase()));
        }
        wanted.put("relay-svc's public port", options.portBase() + LocalDemo.RELAY_PUBLIC_PORT_OFFSET);
        if (options.demo()) {
            wanted.put("the demo web page", options.portBase() + LocalDemo.WEB_PAGE_PORT_OFFSET);
        }
        for (Map.Entry<String, Integer> entry : wanted.entrySet()) {
            try (ServerSocket probe = new ServerSocket()) {
                // As the servers themselves bind: a listener makes this fail, a connection
                // of the previous run lingering in TIME_WAIT does not.
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), entry.getValue()));
            } catch (IOException e) {
                throw new StartFailure(2, "port " + entry.getValue() + " (" + entry.getKey() + ") is already in use: "
                        + "stop what holds it, or choose other ports with --port-base");
            }
        }
    }

    /**
     * Stops one service gracefully (SIGTERM, as {@link #close} does) and starts it again with
     * the same application and environment; returns once it is ready. For benchmarks and soaks
     * that need a relay restart in the middle of a run.
     */
    public void restart(String name) throws StartFailure, IOException, InterruptedException {
        RunningService old = service(name);
        old.process().destroy();
        if (!old.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            old.process().destroyForcibly().waitFor();
        }
        Launched how;
        synchronized (this) {
            services.remove(old);
            how = launched.get(name);
        }
        launch(old.spec(), how.application(), how.environment());
        awaitReady(service(name));
    }

    /** How a service was launched, so that {@link #restart} can do it again. */
    private record Launched(Path application, Map<String, String> environment) {
    }

    private void launch(ServiceSpec spec, Path application, Map<String, String> env) throws IOException {
        int port = spec.port(options.portBase());
        Path log = options.logDir().resolve(spec.name() + ".log");
        Files.writeString(log, "---- " + Instant.now() + " starting " + spec.name() + " on port " + port + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        List<String> command = new ArrayList<>();
        command.add(options.javaCommand());
        command.addAll(options.jvmOptions());
        command.add("-jar");
        command.add(application.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().putAll(env);
        synchronized (this) {
            if (closed) {
                throw new IOException("stopped while starting");
            }
            services.add(new RunningService(spec, port, builder.start(), log));
            launched.put(spec.name(), new Launched(application, Map.copyOf(env)));
        }
    }

    private void awaitReady(RunningService service) throws StartFailure, InterruptedException {
        Instant deadline = Instant.now().plus(options.readyTimeout());
        HttpRequest ready = HttpRequest.newBuilder(URI.create(service.healthUrl() + "/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        String lastAnswer = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!service.process().isAlive()) {
                throw new StartFailure(1, service.spec().name() + " exited with code " + service.process().exitValue()
                        + " before it was ready. Last lines of " + service.log() + ":\n" + tail(service.log()));
            }
            try {
                HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode() + " " + response.body().replaceAll("\\s+", " ");
            } catch (IOException e) {
                lastAnswer = "not listening yet";
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new StartFailure(1, service.spec().name() + " was not ready within " + options.readyTimeout().toSeconds()
                + " s (last answer: " + lastAnswer + "). Last lines of " + service.log() + ":\n" + tail(service.log()));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    public synchronized List<RunningService> services() {
        return Collections.unmodifiableList(new ArrayList<>(services));
    }

    public int postgresPort() {
        return options.portBase() + ServiceSpec.POSTGRES_PORT_OFFSET;
    }

    /**
     * Stops every service (in reverse start order, SIGTERM first so that each shuts down
     * cleanly), then PostgreSQL. Safe to call twice and from a shutdown hook.
     */
    @Override
    public void close() {
        List<RunningService> toStop;
        EmbeddedPostgresServer database;
        DemoWebPage page;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(services);
            database = postgres;
            page = demoWebPage;
        }
        if (page != null) {
            page.close();
        }
        Collections.reverse(toStop);
        toStop.forEach(s -> s.process().destroy());
        for (RunningService service : toStop) {
            try {
                if (!service.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    out.printf("%s did not stop within %d s; killing it%n", service.spec().name(), STOP_GRACE.toSeconds());
                    service.process().destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                service.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (database != null) {
            try {
                database.close();
            } catch (IOException e) {
                out.println("PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }
}
