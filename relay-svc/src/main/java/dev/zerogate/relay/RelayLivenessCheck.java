package dev.zerogate.relay;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Names the relay in liveness, so that a probe tells replicas apart. */
@Liveness
@ApplicationScoped
public class RelayLivenessCheck implements HealthCheck {

    private final RelayIdentity relay;

    RelayLivenessCheck(RelayIdentity relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("relay").up().withData("relay-id", relay.id()).build();
    }
}
