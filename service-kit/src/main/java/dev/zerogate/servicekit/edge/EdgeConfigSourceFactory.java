package dev.zerogate.servicekit.edge;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Puts {@link EdgeSettings}' Quarkus properties into the configuration. Registered by each
 * service that serves its own public port, in
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 *
 * <p>Ordinal {@value #ORDINAL}: above {@code application.properties} (250), so that
 * {@code ZEROGATE_LISTEN_HOST} beats the loopback default there, and below the environment (300)
 * and system properties (400), so that an explicit {@code QUARKUS_*} variable still wins.
 */
public class EdgeConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 275;

    private final Map<String, String> serviceAliases;

    public EdgeConfigSourceFactory() {
        this(Map.of());
    }

    /** With the service's own one-to-one aliases (setting name → property). */
    protected EdgeConfigSourceFactory(Map<String, String> serviceAliases) {
        this.serviceAliases = Map.copyOf(serviceAliases);
    }

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> properties = EdgeSettings.quarkusProperties(
                name -> Optional.ofNullable(context.getValue(name)).map(ConfigValue::getValue), serviceAliases);
        return List.of(new MapBackedConfigSource("zerogate edge settings (ZEROGATE_* variables)", properties, ORDINAL) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
