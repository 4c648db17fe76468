package dev.zerogate.relay;

import dev.zerogate.relay.config.RelayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Which relay this is: from configuration, else the host name. Reported in health and logs. */
@ApplicationScoped
public class RelayIdentity {

    private final String id;

    RelayIdentity(RelayConfig config) {
        this.id = config.id().filter(s -> !s.isBlank()).orElseGet(RelayIdentity::hostName);
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

    void onStart(@Observes StartupEvent event) {
        Log.infof("relay %s started", id);
    }
}
