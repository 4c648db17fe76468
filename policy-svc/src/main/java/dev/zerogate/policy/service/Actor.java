package dev.zerogate.policy.service;

import dev.zerogate.proto.policy.v1.ActorKind;

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
public record Actor(ActorKind kind, String id, String displayName, String deviceId, String sourceIp, String requestId) {

    public static final Actor SYSTEM = new Actor(ActorKind.ACTOR_KIND_SYSTEM, "", "zerogate", "", "", "");

    public Actor {
        id = id == null ? "" : id;
        displayName = displayName == null ? "" : displayName;
        deviceId = deviceId == null ? "" : deviceId;
        sourceIp = sourceIp == null ? "" : sourceIp;
        requestId = requestId == null ? "" : requestId;
    }
}
