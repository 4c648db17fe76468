package dev.zerogate.connector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Map;

/** connector-svc's own settings. */
@ConfigMapping(prefix = "zerogate.connector")
public interface ConnectorConfig {

    /**
     * Directory where the connector keeps the credentials it rotates, so that a restart needs
     * no new tokens. Created with 0700 permissions. Environment: ZEROGATE_CONNECTOR_STATE_DIR.
     */
    Path stateDir();

    /**
     * Labels shown to admins beside this connector (key to value), e.g. {@code site=attic}; merged
     * with {@code ZEROGATE_LABEL_<KEY>} variables and checked by {@link ConnectorLabels}.
     */
    Map<String, String> labels();

    /**
     * Flows one user may hold open through this connector at once, over all their devices and
     * sessions; the next is refused with CAPACITY until one closes. The relay caps sessions per
     * user but cannot see the flows inside them. Environment: ZEROGATE_CONNECTOR_MAX_FLOWS_PER_USER.
     */
    @WithDefault("16384")
    int maxFlowsPerUser();
}
