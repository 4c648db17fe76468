package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.DeploymentDiscovery;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /.well-known/zerogate-configuration}: the deployment's discovery document (ADR
 * 0016), public and cacheable for a few minutes. A relay moved to a new key reaches clients at
 * their next fetch, so the cache stays short.
 */
@Path("/.well-known/zerogate-configuration")
public class ZerogateConfigurationResource {

    static final int CACHE_SECONDS = 300;

    private final DeploymentDiscovery discovery;

    ZerogateConfigurationResource(DeploymentDiscovery discovery) {
        this.discovery = discovery;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response configuration() {
        return Response.ok(discovery.document(), MediaType.APPLICATION_JSON)
                .header("Cache-Control", "public, max-age=" + CACHE_SECONDS)
                .build();
    }
}
