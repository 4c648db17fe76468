package dev.zerogate.identity.config;

import dev.zerogate.servicekit.edge.EdgeConfigSourceFactory;

import java.util.Map;

/**
 * identity-svc's public-edge settings: service-kit's table, plus {@code ZEROGATE_PUBLIC_URL} as
 * the issuer ({@code zerogate.identity.issuer}), the one URL everything identity-svc publishes
 * is built from.
 */
public class IdentityEdgeConfigSourceFactory extends EdgeConfigSourceFactory {

    public IdentityEdgeConfigSourceFactory() {
        super(Map.of("zerogate.public-url", "zerogate.identity.issuer"));
    }
}
