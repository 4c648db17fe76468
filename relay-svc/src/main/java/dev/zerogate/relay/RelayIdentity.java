package dev.zerogate.relay;

import dev.zerogate.relay.config.RelayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/** Which relay this is: from configuration, else the host name. Reported in health and logs. */
@ApplicationScoped
public class RelayIdentity {

    private static final Pattern CANONICAL_UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final String id;
    private final String uuid;

    RelayIdentity(RelayConfig config) {
        this.id = config.id().filter(s -> !s.isBlank()).orElseGet(RelayIdentity::hostName);
        this.uuid = uuidOf(id);
    }

    /**
     * The relay's id as a UUID, which is what policy-svc keys its reports by: the id itself when
     * it is one, else a name-based UUID of it (version 3), the same at every start, so that a
     * restarted relay replaces its own report instead of leaving a second one behind.
     */
    static String uuidOf(String id) {
        return CANONICAL_UUID.matcher(id).matches() ? id
                : UUID.nameUUIDFromBytes(("zerogate-relay:" + id).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "relay";
        }
    }

    public String id() {
        return id;
    }

    /** {@link #id()} as a UUID (see {@link #uuidOf}); the relay id of its reports to policy-svc. */
    public String uuid() {
        return uuid;
    }

    void onStart(@Observes StartupEvent event) {
        Log.infof("relay %s started (relay id %s at policy-svc)", id, uuid);
    }
}
