package dev.zerogate.policy;

/**
 * Who is calling, for the audit log.
 *
 * @param kind user, service account, connector, relay or system
 * @param id the principal's id; empty for the system
 * @param displayName a name for people reading the log, when known
 * @param deviceId the caller's device, if any
 * @param sourceIp the caller's address as this service sees it
 * @param requestId a correlation id, when the caller sent one
 */
public record Actor(Kind kind, String id, String displayName, String deviceId, String sourceIp, String requestId) {

    /** Kinds of actors, as the audit log's {@code ActorKind}. */
    public enum Kind {
        USER,
        SERVICE_ACCOUNT,
        CONNECTOR,
        RELAY,
        SYSTEM
    }

    public static final Actor SYSTEM = new Actor(Kind.SYSTEM, "", "zerogate", "", "", "");

    public Actor {
        id = id == null ? "" : id;
        displayName = displayName == null ? "" : displayName;
        deviceId = deviceId == null ? "" : deviceId;
        sourceIp = sourceIp == null ? "" : sourceIp;
        requestId = requestId == null ? "" : requestId;
    }
}
