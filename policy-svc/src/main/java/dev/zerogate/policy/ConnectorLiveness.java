package dev.zerogate.policy;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the relays report about a connector, merged over every relay holding it.
 *
 * @param online whether any relay heard it within that relay's offline_after
 * @param lastHeartbeatAt the newest heartbeat any relay heard; empty if never
 * @param version the connector version from that newest report
 * @param labels the labels from that newest report
 * @param relayIds the relays it is online at, sorted
 * @param activeFlowCount flows open through it, summed over those relays
 */
public record ConnectorLiveness(boolean online, Optional<Instant> lastHeartbeatAt, String version, Map<String, String> labels,
                                List<String> relayIds, int activeFlowCount) {

    /** A connector no relay has reported. */
    public static final ConnectorLiveness NEVER_SEEN = new ConnectorLiveness(false, Optional.empty(), "", Map.of(), List.of(), 0);

    public ConnectorLiveness {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        relayIds = List.copyOf(relayIds);
    }
}
