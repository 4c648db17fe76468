package dev.zerogate.identity.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.service.UserAdministration;
import dev.zerogate.proto.identity.v1.Device;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.DeviceState;
import dev.zerogate.proto.identity.v1.Group;
import dev.zerogate.proto.identity.v1.GroupSource;
import dev.zerogate.proto.identity.v1.OperatingSystem;
import dev.zerogate.proto.identity.v1.RevocationReason;
import dev.zerogate.proto.identity.v1.Session;
import dev.zerogate.proto.identity.v1.SessionState;
import dev.zerogate.proto.identity.v1.User;
import dev.zerogate.proto.identity.v1.UserSource;
import dev.zerogate.proto.identity.v1.UserState;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** identity-svc's records as the v1 contract shows them; one place for every adapter. */
final class ProtoMapping {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProtoMapping() {
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    static Timestamp timestamp(OffsetDateTime time) {
        return timestamp(time.toInstant());
    }

    /** A UUID from a request field; INVALID_ARGUMENT naming the field otherwise. */
    static UUID uuid(String value, String field) {
        try {
            if (value != null && value.length() == 36) {
                return UUID.fromString(value);
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new IdentityException(Kind.INVALID_ARGUMENT, field + " must be a UUID");
    }

    /** The admin's reason: required, 1 to 500 characters. */
    static String reason(String reason) {
        if (reason == null || reason.isBlank() || reason.codePointCount(0, reason.length()) > 500) {
            throw new IdentityException(Kind.INVALID_ARGUMENT, "reason is required (1 to 500 characters)");
        }
        return reason.strip();
    }

    static User user(UserAdministration.UserView view, String adminGroup) {
        dev.zerogate.identity.User user = view.user();
        User.Builder proto = User.newBuilder()
                .setId(user.id.toString())
                .setUsername(user.username)
                .setEmail(user.email == null ? "" : user.email)
                .setDisplayName(user.displayName == null ? "" : user.displayName)
                .setSource(view.upstream().isPresent() ? UserSource.USER_SOURCE_UPSTREAM_OIDC : UserSource.USER_SOURCE_LOCAL)
                .setState(user.disabledAt == null ? UserState.USER_STATE_ACTIVE : UserState.USER_STATE_REVOKED)
                .setMfaEnabled(user.totpConfirmedAt != null)
                .setCreatedAt(timestamp(user.createdAt));
        view.upstream().ifPresent(link -> proto.setIdpIssuer(link.issuer).setIdpSubject(link.subject).setLastLoginAt(timestamp(link.lastLoginAt)));
        user.upstreamGroupSet().forEach(group -> proto.addGroupIds(UserAdministration.groupId(group).toString()));
        if (user.admin) {
            proto.addGroupIds(UserAdministration.groupId(adminGroup).toString());
        }
        if (user.disabledAt != null) {
            proto.setRevokedAt(timestamp(user.disabledAt));
        }
        return proto.build();
    }

    static Group group(UserAdministration.GroupView view) {
        return Group.newBuilder()
                .setId(view.id().toString())
                .setName(view.name())
                .setSource(view.upstream() ? GroupSource.GROUP_SOURCE_IDP_SYNC : GroupSource.GROUP_SOURCE_LOCAL)
                .setIdpGroupName(view.upstream() ? view.name() : "")
                .setUserCount(view.userCount())
                .build();
    }

    static Session session(UserAdministration.SessionView view) {
        dev.zerogate.identity.Session session = view.session();
        Session.Builder proto = Session.newBuilder()
                .setId(session.id.toString())
                .setUserId(session.userId.toString())
                .setClientId(session.clientId)
                .addAllAmr(session.authenticationMethods())
                .setAuthTime(timestamp(session.authTime))
                .setCreatedAt(timestamp(session.createdAt))
                .setState(session.isRevoked() ? SessionState.SESSION_STATE_REVOKED
                        : view.refreshable() ? SessionState.SESSION_STATE_ACTIVE : SessionState.SESSION_STATE_EXPIRED);
        view.deviceId().ifPresent(id -> proto.setDeviceId(id.toString()));
        if (session.lastRefreshedAt != null) {
            proto.setLastRefreshedAt(timestamp(session.lastRefreshedAt));
        }
        if (session.isRevoked()) {
            proto.setRevokedAt(timestamp(session.revokedAt)).setRevocationReason(revocationReason(session.revokeReason));
        }
        return proto.build();
    }

    private static RevocationReason revocationReason(String reason) {
        try {
            return RevocationReason.valueOf("REVOCATION_REASON_" + reason);
        } catch (IllegalArgumentException | NullPointerException e) {
            return RevocationReason.REVOCATION_REASON_UNSPECIFIED;
        }
    }

    static dev.zerogate.proto.identity.v1.ServiceAccount serviceAccount(dev.zerogate.identity.service.ServiceAccounts.AccountView view) {
        dev.zerogate.identity.ServiceAccount account = view.account();
        var proto = dev.zerogate.proto.identity.v1.ServiceAccount.newBuilder()
                .setId(account.id.toString())
                .setName(account.name)
                .setDescription(account.description)
                .setState(account.revokedAt == null ? dev.zerogate.proto.identity.v1.ServiceAccountState.SERVICE_ACCOUNT_STATE_ACTIVE
                        : dev.zerogate.proto.identity.v1.ServiceAccountState.SERVICE_ACCOUNT_STATE_REVOKED)
                .setActiveKeyCount((int) view.usableKeys())
                .setCreatedAt(timestamp(account.createdAt));
        if (account.revokedAt != null) {
            proto.setRevokedAt(timestamp(account.revokedAt));
        }
        return proto.build();
    }

    static dev.zerogate.proto.identity.v1.ServiceAccountKey serviceAccountKey(dev.zerogate.identity.ServiceAccountKey key, OffsetDateTime now) {
        var state = key.revokedAt != null ? dev.zerogate.proto.identity.v1.ServiceAccountState.SERVICE_ACCOUNT_STATE_REVOKED
                : key.expiresAt.isAfter(now) ? dev.zerogate.proto.identity.v1.ServiceAccountState.SERVICE_ACCOUNT_STATE_ACTIVE
                : dev.zerogate.proto.identity.v1.ServiceAccountState.SERVICE_ACCOUNT_STATE_EXPIRED;
        var proto = dev.zerogate.proto.identity.v1.ServiceAccountKey.newBuilder()
                .setId(key.id.toString())
                .setServiceAccountId(key.serviceAccountId.toString())
                .setDescription(key.description)
                .setState(state)
                .setSecretPrefix(key.secretPrefix)
                .setCreatedAt(timestamp(key.createdAt))
                .setExpiresAt(timestamp(key.expiresAt));
        if (key.lastUsedAt != null) {
            proto.setLastUsedAt(timestamp(key.lastUsedAt));
        }
        if (key.revokedAt != null) {
            proto.setRevokedAt(timestamp(key.revokedAt));
        }
        return proto.build();
    }

    static dev.zerogate.proto.identity.v1.ConnectorIdentity connector(dev.zerogate.identity.ConnectorCredential credential) {
        var proto = dev.zerogate.proto.identity.v1.ConnectorIdentity.newBuilder()
                .setConnectorId(credential.connectorId.toString())
                .setRemoteNetworkId(credential.remoteNetworkId.toString())
                .setState(dev.zerogate.proto.identity.v1.ConnectorCredentialState.valueOf("CONNECTOR_CREDENTIAL_STATE_" + credential.state.name()))
                .setCreatedAt(timestamp(credential.createdAt));
        if (credential.state == dev.zerogate.identity.ConnectorCredential.State.PENDING_BOOTSTRAP) {
            proto.setBootstrapExpiresAt(timestamp(credential.bootstrapExpiresAt));
        }
        if (credential.bootstrappedAt != null) {
            proto.setBootstrappedAt(timestamp(credential.bootstrappedAt));
        }
        if (credential.lastRefreshedAt != null) {
            proto.setLastRefreshedAt(timestamp(credential.lastRefreshedAt));
        }
        if (credential.certificateSerial != null) {
            proto.setCertificateSerial(credential.certificateSerial).setCertificateNotAfter(timestamp(credential.certificateNotAfter));
        }
        if (credential.revokedAt != null) {
            proto.setRevokedAt(timestamp(credential.revokedAt)).setRevocationReason(credential.revocationReason == null ? "" : credential.revocationReason);
        }
        return proto.build();
    }

    /** A device with the posture it last reported. */
    static Device device(dev.zerogate.identity.Device device) {
        Device.Builder proto = Device.newBuilder()
                .setId(device.id.toString())
                .setUserId(device.userId.toString())
                .setName(device.name)
                .setState(device.revokedAt == null ? DeviceState.DEVICE_STATE_ACTIVE : DeviceState.DEVICE_STATE_REVOKED)
                .setTrusted(device.trusted)
                .setKeyThumbprint(device.keyThumbprint)
                .setCertificateSerial(device.certificateSerial)
                .setCertificateNotAfter(timestamp(device.certificateNotAfter))
                .setEnrolledAt(timestamp(device.enrolledAt));
        if (device.postureJson != null) {
            proto.setPosture(posture(device.postureJson));
        }
        if (device.postureReportedAt != null) {
            proto.setPostureReportedAt(timestamp(device.postureReportedAt));
        }
        if (device.revokedAt != null) {
            proto.setRevokedAt(timestamp(device.revokedAt));
            proto.setRevocationReason(device.revocationReason == null ? "" : device.revocationReason);
        }
        return proto.build();
    }

    /** The stored posture (written by EnrollmentGrpcService) back into its message. */
    static DevicePosture posture(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            DevicePosture.Builder posture = DevicePosture.newBuilder()
                    .setOsVersion(node.path("os_version").asText(""))
                    .setClientVersion(node.path("client_version").asText(""));
            try {
                posture.setOs(OperatingSystem.valueOf(node.path("os").asText("OPERATING_SYSTEM_UNSPECIFIED")));
            } catch (IllegalArgumentException e) {
                posture.setOs(OperatingSystem.OPERATING_SYSTEM_UNSPECIFIED);
            }
            if (node.has("disk_encrypted")) {
                posture.setDiskEncrypted(node.get("disk_encrypted").asBoolean());
            }
            if (node.has("screen_lock_enabled")) {
                posture.setScreenLockEnabled(node.get("screen_lock_enabled").asBoolean());
            }
            return posture.build();
        } catch (IOException e) {
            return DevicePosture.getDefaultInstance();
        }
    }
}
