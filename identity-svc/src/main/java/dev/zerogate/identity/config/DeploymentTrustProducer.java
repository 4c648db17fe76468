package dev.zerogate.identity.config;

import dev.zerogate.servicekit.edge.DeploymentTrust;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What this service trusts on its outgoing HTTPS and gRPC-over-TLS calls: the system's CAs plus
 * those of {@code ZEROGATE_CA_FILE} ({@code zerogate.ca-file}, PEM), for a deployment with a
 * private CA. An unreadable file stops the start.
 */
@ApplicationScoped
class DeploymentTrustProducer {

    @Produces
    @Singleton
    DeploymentTrust deploymentTrust(@ConfigProperty(name = "zerogate.ca-file") Optional<String> caFile) {
        return DeploymentTrust.systemAnd(caFile.map(String::trim).filter(file -> !file.isEmpty()).map(Path::of));
    }
}
