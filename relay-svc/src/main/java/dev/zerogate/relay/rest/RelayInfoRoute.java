package dev.zerogate.relay.rest;

import dev.zerogate.relay.RelayIdentity;
import dev.zerogate.relay.RelayKeys;
import dev.zerogate.tunnel.TunnelProtocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /api/v1/relay}: what a client needs before its first preamble — the relay's id,
 * its preamble key (X25519, base64url) and key id, and the tunnel protocol versions. Public:
 * nothing in it is secret. Clients do not take the key from here (ADR 0016: a relay's key comes
 * from the control plane); the operator copies it into identity-svc's {@code ZEROGATE_PUBLIC_RELAYS}.
 */
@ApplicationScoped
public class RelayInfoRoute {

    void routes(@Observes Router router, RelayKeys keys, RelayIdentity identity) {
        String body = new JsonObject()
                .put("relay_id", identity.id())
                .put("preamble_key", keys.key().publicText())
                .put("preamble_key_id", keys.key().keyIdText())
                .put("protocol_versions", new JsonArray().add(TunnelProtocol.VERSION))
                .encode();
        router.get("/api/v1/relay").handler(context -> context.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "max-age=300")
                .end(body));
    }
}
