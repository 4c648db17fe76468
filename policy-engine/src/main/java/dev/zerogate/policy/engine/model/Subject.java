package dev.zerogate.policy.engine.model;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The caller, from a verified access token.
 *
 * @param kind user or service account
 * @param id the user id or service-account id (the token's {@code sub})
 * @param groupsClaim the token's {@code groups} claim: upstream IdP group names
 * @param amr the token's {@code amr} claim: authentication methods of the sign-in
 * @param authTime the token's {@code auth_time}: when the caller last authenticated
 * @param deviceId the device the token is bound to, if any
 */
public record Subject(
        SubjectKind kind,
        String id,
        Set<String> groupsClaim,
        Set<String> amr,
        Optional<Instant> authTime,
        Optional<String> deviceId) {

    public Subject {
        kind = kind == null ? SubjectKind.UNSPECIFIED : kind;
        id = id == null ? "" : id;
        groupsClaim = groupsClaim == null ? Set.of() : Set.copyOf(groupsClaim);
        amr = amr == null ? Set.of() : Set.copyOf(amr);
        authTime = authTime == null ? Optional.empty() : authTime;
        deviceId = deviceId == null ? Optional.empty() : deviceId;
    }

    /** A user signed in at {@code authTime} with methods {@code amr}, on a device. */
    public static Subject user(String id, Set<String> groupsClaim, Set<String> amr, Instant authTime, String deviceId) {
        return new Subject(SubjectKind.USER, id, groupsClaim, amr, Optional.ofNullable(authTime), Optional.ofNullable(deviceId));
    }

    /** A service account; {@code deviceId} may be null. */
    public static Subject serviceAccount(String id, Instant authTime, String deviceId) {
        return new Subject(SubjectKind.SERVICE_ACCOUNT, id, Set.of(), Set.of(), Optional.ofNullable(authTime),
                Optional.ofNullable(deviceId));
    }

    /** Whether the subject is well-formed enough to be evaluated at all. */
    public boolean isEvaluable() {
        return kind != SubjectKind.UNSPECIFIED && !id.isBlank();
    }
}
