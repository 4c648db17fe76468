package dev.zerogate.connector.credentials;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The connector is ready only with usable credentials: bootstrapped, stored, not refused, access
 * token unexpired. Shows the connector id and certificate serial, never a secret.
 */
@Readiness
@ApplicationScoped
public class CredentialsCheck implements HealthCheck {

    private final ConnectorCredentials credentials;

    CredentialsCheck(ConnectorCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("credentials");
        if (!credentials.enabled()) {
            return response.up().withData("control plane", "disabled").build();
        }
        credentials.current().ifPresent(current -> response
                .withData("connector", current.connectorId())
                .withData("certificate", current.certificate().serial())
                .withData("certificate not after", current.certificate().notAfter().toString())
                .withData("access token expires", current.tokens().accessTokenExpiresAt().toString()));
        return credentials.problem()
                .map(reason -> response.down().withData("reason", reason).build())
                .orElseGet(() -> response.up().build());
    }
}
