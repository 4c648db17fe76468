package dev.zerogate.policy.store;

import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.proto.policy.v1.Revocation;

import java.time.Instant;

/** Revocations as the revocations table names their subjects ("USER", "DEVICE", ...). */
public final class Revocations {

    private Revocations() {}

    public static Revocation proto(String subjectKind, String subjectId, Instant revokedAt, String reason) {
        Revocation.Builder builder = Revocation.newBuilder().setRevokedAt(EngineMapping.timestamp(revokedAt)).setReason(reason);
        switch (subjectKind) {
            case "USER" -> builder.setUserId(subjectId);
            case "DEVICE" -> builder.setDeviceId(subjectId);
            case "CONNECTOR" -> builder.setConnectorId(subjectId);
            case "SERVICE_ACCOUNT" -> builder.setServiceAccountId(subjectId);
            case "SESSION" -> builder.setSessionId(subjectId);
            default -> throw new IllegalArgumentException("unknown revocation subject kind " + subjectKind);
        }
        return builder.build();
    }

    /** The revocations table's name for the proto's subject. */
    public static String subjectKind(Revocation revocation) {
        return switch (revocation.getSubjectCase()) {
            case USER_ID -> "USER";
            case DEVICE_ID -> "DEVICE";
            case CONNECTOR_ID -> "CONNECTOR";
            case SERVICE_ACCOUNT_ID -> "SERVICE_ACCOUNT";
            case SESSION_ID -> "SESSION";
            case SUBJECT_NOT_SET -> throw new IllegalArgumentException("a revocation needs a subject");
        };
    }

    public static String subjectId(Revocation revocation) {
        return switch (revocation.getSubjectCase()) {
            case USER_ID -> revocation.getUserId();
            case DEVICE_ID -> revocation.getDeviceId();
            case CONNECTOR_ID -> revocation.getConnectorId();
            case SERVICE_ACCOUNT_ID -> revocation.getServiceAccountId();
            case SESSION_ID -> revocation.getSessionId();
            case SUBJECT_NOT_SET -> throw new IllegalArgumentException("a revocation needs a subject");
        };
    }
}
