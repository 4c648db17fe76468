package dev.zerogate.relay.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** relay-svc's own settings. */
@ConfigMapping(prefix = "zerogate.relay")
public interface RelayConfig {

    /**
     * This relay's name in logs, health and (later) in what it reports to policy-svc; several
     * relays behind one address tell themselves apart by it. Default: the host name.
     */
    Optional<String> id();
}
