package dev.zerogate.connector;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** The connector is ready only while its state directory is owner-only and writable. */
@Readiness
@ApplicationScoped
public class StateDirectoryCheck implements HealthCheck {

    private final StateDirectory stateDirectory;

    StateDirectoryCheck(StateDirectory stateDirectory) {
        this.stateDirectory = stateDirectory;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("state directory").withData("path", stateDirectory.path().toString());
        return stateDirectory.problem()
                .map(reason -> response.down().withData("reason", reason).build())
                .orElseGet(() -> response.up().build());
    }
}
