package dev.zerogate.identity.oauth;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.service.DeviceLoginService;
import dev.zerogate.identity.service.OAuthClients;
import dev.zerogate.identity.service.OAuthException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The device authorization endpoint (RFC 8628 §3.1, §3.2). Besides {@code client_id} it takes
 * an optional {@code zg_device_key}: the RFC 7638 thumbprint of the device key that the
 * session's access tokens will be bound to ({@code cnf.jkt}).
 */
@Path("/oauth2/device_authorization")
public class DeviceAuthorizationEndpoint {

    private static final Pattern THUMBPRINT = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final OAuthClients clients;
    private final DeviceLoginService deviceLogins;
    private final IdentityConfig config;

    DeviceAuthorizationEndpoint(OAuthClients clients, DeviceLoginService deviceLogins, IdentityConfig config) {
        this.clients = clients;
        this.deviceLogins = deviceLogins;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> start(MultivaluedMap<String, String> form) {
        String clientId = OAuthForms.single(form, "client_id");
        clients.requireGrant(clientId, OAuthClients.DEVICE_CODE_GRANT);
        String deviceKey = OAuthForms.single(form, "zg_device_key");
        if (deviceKey != null && !THUMBPRINT.matcher(deviceKey).matches()) {
            throw OAuthException.invalidRequest("zg_device_key must be a base64url SHA-256 JWK thumbprint");
        }
        String verificationUri = config.issuer() + "/device";
        return deviceLogins.start(clientId, Optional.ofNullable(deviceKey)).map(started -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("device_code", started.deviceCode());
            body.put("user_code", started.userCode());
            body.put("verification_uri", verificationUri);
            body.put("verification_uri_complete", verificationUri + "?user_code="
                    + URLEncoder.encode(started.userCode(), StandardCharsets.UTF_8));
            body.put("expires_in", started.expiresIn());
            body.put("interval", started.interval());
            return Response.ok(body).header("Cache-Control", "no-store").build();
        });
    }
}
