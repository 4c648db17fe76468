package dev.zerogate.servicekit.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The public-edge settings of a zerogate service (ADR 0016), from its {@code ZEROGATE_*}
 * variables to the Quarkus properties that carry them out. One table, here, for every service
 * that serves its own port (identity-svc, policy-svc); the relay terminates TLS itself.
 *
 * <table>
 *   <caption>variable → Quarkus properties</caption>
 *   <tr><td>{@code ZEROGATE_LISTEN_HOST}</td><td>{@code quarkus.http.host}</td></tr>
 *   <tr><td>{@code ZEROGATE_TLS_CERT} + {@code ZEROGATE_TLS_KEY}</td><td>a TLS registry entry
 *       {@value #TLS_CONFIGURATION} (PEM key store), {@code quarkus.http.tls-configuration-name},
 *       {@code quarkus.http.ssl-port} (and {@code test-ssl-port}) = the HTTP port,
 *       {@code quarkus.http.insecure-requests=disabled}</td></tr>
 *   <tr><td>{@code ZEROGATE_TLS_RELOAD_PERIOD}</td><td>how often {@link EdgeCertificateReloader} looks at the files</td></tr>
 *   <tr><td>{@code ZEROGATE_TRUSTED_PROXIES}</td><td>{@code quarkus.http.proxy.*}: forwarding on,
 *       {@code Forwarded} and {@code X-Forwarded-*} allowed, only from these addresses</td></tr>
 * </table>
 *
 * Services may add one-to-one aliases (identity-svc: {@code ZEROGATE_PUBLIC_URL}). Fails closed:
 * half a TLS configuration, or a file that cannot be read, is an error, never a plaintext start.
 */
public final class EdgeSettings {

    /** The TLS registry entry of the public port. */
    public static final String TLS_CONFIGURATION = "zerogate-edge";
    /** How often the PEM files are read again when {@code ZEROGATE_TLS_RELOAD_PERIOD} is not set. */
    public static final String DEFAULT_RELOAD_PERIOD = "1m";

    public static final String LISTEN_HOST = "zerogate.listen-host";
    public static final String TLS_CERT = "zerogate.tls.cert";
    public static final String TLS_KEY = "zerogate.tls.key";
    public static final String TLS_RELOAD_PERIOD = "zerogate.tls.reload-period";
    public static final String TRUSTED_PROXIES = "zerogate.trusted-proxies";
    public static final String CA_FILE = "zerogate.ca-file";

    /** Variables that set exactly one property each, whatever the service. */
    static final Map<String, String> ALIASES = Map.of(LISTEN_HOST, "quarkus.http.host");

    private EdgeSettings() {
    }

    /** {@code zerogate.tls.cert} → {@code ZEROGATE_TLS_CERT}, for messages. */
    public static String variable(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The Quarkus properties for the settings {@code lookup} finds (by their dotted names, e.g.
     * {@link #TLS_CERT}; absent or blank means not set), with {@code serviceAliases} added to
     * {@link #ALIASES}.
     *
     * @throws IllegalArgumentException naming the variable or file at fault
     */
    public static Map<String, String> quarkusProperties(Function<String, Optional<String>> lookup,
                                                        Map<String, String> serviceAliases) {
        Function<String, Optional<String>> set = name -> lookup.apply(name).map(String::trim).filter(v -> !v.isEmpty());
        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, String> aliases = new LinkedHashMap<>(ALIASES);
        aliases.putAll(serviceAliases);
        aliases.forEach((name, property) -> set.apply(name).ifPresent(value -> properties.put(property, value)));
        tls(set, properties);
        trustedProxies(set, properties);
        return properties;
    }

    private static void tls(Function<String, Optional<String>> set, Map<String, String> properties) {
        Optional<String> cert = set.apply(TLS_CERT);
        Optional<String> key = set.apply(TLS_KEY);
        if (cert.isEmpty() && key.isEmpty()) {
            set.apply(TLS_RELOAD_PERIOD).ifPresent(period -> {
                throw new IllegalArgumentException(variable(TLS_RELOAD_PERIOD) + " is set but there is no certificate to reload: set "
                        + variable(TLS_CERT) + " and " + variable(TLS_KEY));
            });
            return;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            String missing = cert.isEmpty() ? TLS_CERT : TLS_KEY;
            String present = cert.isEmpty() ? TLS_KEY : TLS_CERT;
            throw new IllegalArgumentException(variable(present) + " is set but " + variable(missing)
                    + " is not: TLS needs both the certificate chain and its private key (PEM files); refusing to start without TLS");
        }
        requirePem(TLS_CERT, Path.of(cert.get()));
        requirePem(TLS_KEY, Path.of(key.get()));
        String prefix = "quarkus.tls." + TLS_CONFIGURATION + ".";
        properties.put(prefix + "key-store.pem.edge.cert", cert.get());
        properties.put(prefix + "key-store.pem.edge.key", key.get());
        // No quarkus.tls.*.reload-period: the registry would reload and push the options to the
        // server every period, changed or not, and Vert.x drops connections that arrive during an
        // update; EdgeCertificateReloader reloads only when the files changed.
        properties.put(TLS_RELOAD_PERIOD, set.apply(TLS_RELOAD_PERIOD).orElse(DEFAULT_RELOAD_PERIOD));
        properties.put("quarkus.http.tls-configuration-name", TLS_CONFIGURATION);
        // TLS on the port the service always had; no plaintext listener beside it.
        properties.put("quarkus.http.ssl-port", "${quarkus.http.port}");
        properties.put("quarkus.http.test-ssl-port", "${quarkus.http.test-port}");
        properties.put("quarkus.http.insecure-requests", "disabled");
    }

    private static void trustedProxies(Function<String, Optional<String>> set, Map<String, String> properties) {
        Optional<String> configured = set.apply(TRUSTED_PROXIES);
        if (configured.isEmpty()) {
            return;
        }
        List<String> proxies = new ArrayList<>();
        for (String entry : configured.get().split(",", -1)) {
            String proxy = entry.trim();
            if (proxy.isEmpty()) {
                throw new IllegalArgumentException(variable(TRUSTED_PROXIES) + " has an empty entry: give addresses or CIDRs, comma separated");
            }
            proxies.add(proxy);
        }
        properties.put("quarkus.http.proxy.proxy-address-forwarding", "true");
        properties.put("quarkus.http.proxy.allow-forwarded", "true");
        properties.put("quarkus.http.proxy.allow-x-forwarded", "true");
        properties.put("quarkus.http.proxy.trusted-proxies", String.join(",", proxies));
    }

    /** The file exists, can be read and holds PEM; else an error naming the variable and the file. */
    static void requirePem(String name, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(variable(name) + ": cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        if (!text.contains("-----BEGIN ")) {
            throw new IllegalArgumentException(variable(name) + ": " + file.toAbsolutePath() + " holds no PEM block");
        }
    }
}
