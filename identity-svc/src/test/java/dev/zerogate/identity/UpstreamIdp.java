package dev.zerogate.identity;

import dev.zerogate.testkit.oidc.UpstreamOidcProvider;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.List;
import java.util.Map;

/**
 * A real third-party OpenID provider (the npm package oidc-provider, on Node) configured as
 * identity-svc's upstream "testidp", with its groups in a claim named "roles" (not the
 * default), and three people: an admin, a family member, and someone with no groups.
 */
public class UpstreamIdp implements QuarkusTestResourceLifecycleManager {

    public static final String PASSWORD = "upstream password 1";
    static volatile UpstreamOidcProvider provider;

    @Override
    public Map<String, String> start() {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(18101);
        String callback = "http://127.0.0.1:" + port + "/login/upstream/callback";
        provider = UpstreamOidcProvider.builder()
                .groupsClaim("roles")
                .client("zerogate", "upstream-client-secret", callback)
                .user("erin", PASSWORD, "erin@example.test", "Erin Example", List.of("admins", "family"))
                .user("finn", PASSWORD, "finn@example.test", "Finn Example", List.of("family"))
                .user("gus", PASSWORD, "gus@example.test", "Gus Example", List.of())
                .start();
        return Map.of(
                "zerogate.identity.upstreams.testidp.issuer", provider.issuer(),
                "zerogate.identity.upstreams.testidp.client-id", "zerogate",
                "zerogate.identity.upstreams.testidp.client-secret", "upstream-client-secret",
                "zerogate.identity.upstreams.testidp.groups-claim", "roles",
                "zerogate.identity.upstreams.testidp.scopes", "openid email profile roles",
                "zerogate.identity.upstreams.testidp.display-name", "Test IdP");
    }

    @Override
    public void stop() {
        if (provider != null) {
            provider.close();
        }
    }
}
