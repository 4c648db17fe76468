package dev.zerogate.connector;

import dev.zerogate.connector.config.ConnectorLabels;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What this connector can say about itself locally; grows with relay links and flows. */
@ApplicationScoped
public class ConnectorStatus {

    /** A consistent view at one instant. */
    public record Snapshot(String version, Instant startedAt, Map<String, String> labels,
                           Path stateDir, Optional<String> stateDirProblem) {
    }

    private final Instant startedAt = Instant.now();
    private final String version;
    private final ConnectorLabels labels;
    private final StateDirectory stateDirectory;

    ConnectorStatus(@ConfigProperty(name = "quarkus.application.version") String version,
                    ConnectorLabels labels, StateDirectory stateDirectory) {
        this.version = version;
        this.labels = labels;
        this.stateDirectory = stateDirectory;
    }

    public Snapshot snapshot() {
        return new Snapshot(version, startedAt, labels.map(), stateDirectory.path(), stateDirectory.problem());
    }
}
