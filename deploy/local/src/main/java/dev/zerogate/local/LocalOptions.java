package dev.zerogate.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How to run the local stack.
 *
 * @param projectDir   the zerogate checkout whose built applications are started
 * @param home         data directory: PostgreSQL cluster, generated secrets, logs, service state
 * @param portBase     PostgreSQL listens on this port, the services on the next ones (see {@link ServiceSpec})
 * @param readyTimeout how long each service may take to report ready
 * @param javaCommand  the {@code java} executable for the services
 * @param jvmOptions   options for every service JVM
 * @param demo         provision the demo on the first start ({@link LocalDemo}) and serve its web page
 */
public record LocalOptions(Path projectDir, Path home, int portBase, Duration readyTimeout,
                           String javaCommand, List<String> jvmOptions, boolean demo) {

    /** Ports 7400 to 7404: PostgreSQL, identity-svc, policy-svc, relay-svc, connector-svc. */
    public static final int DEFAULT_PORT_BASE = 7400;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);
    /** Small heaps: four JVMs share one laptop or one small server. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** The highest port of a run is the port base plus this (the demo web page). */
    public static final int PORT_SPAN = LocalDemo.WEB_PAGE_PORT_OFFSET;

    public LocalOptions {
        if (portBase < 1024 || portBase > 65535 - PORT_SPAN) {
            throw new IllegalArgumentException("port base " + portBase + " is out of range 1024.." + (65535 - PORT_SPAN));
        }
        home = home.toAbsolutePath().normalize();
        projectDir = projectDir.toAbsolutePath().normalize();
    }

    /** A run without the demo: the services only, the first admin made by hand with the setup link. */
    public LocalOptions(Path projectDir, Path home, int portBase, Duration readyTimeout, String javaCommand, List<String> jvmOptions) {
        this(projectDir, home, portBase, readyTimeout, javaCommand, jvmOptions, false);
    }

    /** The same run with the demo switched on or off. */
    public LocalOptions withDemo(boolean on) {
        return new LocalOptions(projectDir, home, portBase, readyTimeout, javaCommand, jvmOptions, on);
    }

    /** identity-svc's URL in this run, also its issuer and the connector's ZEROGATE_URL. */
    public String identityUrl() {
        return "http://127.0.0.1:" + ServiceSpec.ALL.get(0).port(portBase);
    }

    /** policy-svc's URL in this run. */
    public String policyUrl() {
        return "http://127.0.0.1:" + ServiceSpec.ALL.get(1).port(portBase);
    }

    /** The relay's public port, where clients and connectors dial in. */
    public String relayUrl() {
        return "http://127.0.0.1:" + (portBase + LocalDemo.RELAY_PUBLIC_PORT_OFFSET);
    }

    /** The relay's state directory: its preamble key lives there ({@link RelayKeyFile}). */
    public Path relayStateDir() {
        return home.resolve("relay");
    }

    /** The runnable application a service's build produces. */
    public Path applicationOf(ServiceSpec spec) {
        return projectDir.resolve(spec.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public Path logDir() {
        return home.resolve("logs");
    }

    /** Settings a service needs that depend on this run, beyond its database. */
    public Map<String, String> extraEnvironment(ServiceSpec spec) {
        return switch (spec.name()) {
            case "identity-svc" -> Map.of(
                    "ZEROGATE_IDENTITY_ISSUER", identityUrl(),
                    "ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", home.resolve("identity").resolve("master.key").toString());
            case "policy-svc" -> Map.of(
                    // identity-svc is started first; its issuer URL is also where its JWKS is.
                    "ZEROGATE_POLICY_IDENTITY_URL", identityUrl(),
                    "ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy").resolve("master.key").toString());
            case "relay-svc" -> Map.of(
                    "ZEROGATE_RELAY_IDENTITY_URL", identityUrl(),
                    "ZEROGATE_RELAY_POLICY_URL", policyUrl(),
                    "ZEROGATE_RELAY_PORT", Integer.toString(portBase + LocalDemo.RELAY_PUBLIC_PORT_OFFSET),
                    "ZEROGATE_RELAY_STATE_DIR", relayStateDir().toString());
            // Without a provisioned demo the local run has no admin to provision its connector
            // with: it runs without a control plane (no credentials). LocalDemo overrides this.
            case "connector-svc" -> Map.of("ZEROGATE_CONNECTOR_STATE_DIR", home.resolve("connector").toString(),
                    "ZEROGATE_CONNECTOR_CONTROL_PLANE_ENABLED", "false");
            default -> Map.of();
        };
    }

    /** The java executable running this process, so that services run on the same JDK. */
    public static String currentJava() {
        return dev.zerogate.runkit.CurrentJava.command();
    }
}
