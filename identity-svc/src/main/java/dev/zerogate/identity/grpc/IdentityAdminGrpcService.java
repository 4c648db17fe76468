package dev.zerogate.identity.grpc;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.service.DeviceAdministration;
import dev.zerogate.identity.service.PageRequest;
import dev.zerogate.identity.service.ConnectorCredentialIssuer;
import dev.zerogate.identity.service.ServiceAccounts;
import dev.zerogate.proto.identity.v1.CreateConnectorRequest;
import dev.zerogate.proto.identity.v1.CreateConnectorResponse;
import dev.zerogate.proto.identity.v1.ListConnectorsRequest;
import dev.zerogate.proto.identity.v1.ListConnectorsResponse;
import dev.zerogate.proto.identity.v1.RevokeConnectorRequest;
import dev.zerogate.proto.identity.v1.RevokeConnectorResponse;
import dev.zerogate.identity.service.UserAdministration;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyRequest;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.CreateServiceAccountRequest;
import dev.zerogate.proto.identity.v1.CreateServiceAccountResponse;
import dev.zerogate.proto.identity.v1.ListServiceAccountKeysRequest;
import dev.zerogate.proto.identity.v1.ListServiceAccountKeysResponse;
import dev.zerogate.proto.identity.v1.ListServiceAccountsRequest;
import dev.zerogate.proto.identity.v1.ListServiceAccountsResponse;
import dev.zerogate.proto.identity.v1.RevokeServiceAccountKeyRequest;
import dev.zerogate.proto.identity.v1.RevokeServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.RevokeServiceAccountRequest;
import dev.zerogate.proto.identity.v1.RevokeServiceAccountResponse;
import dev.zerogate.proto.identity.v1.DeviceState;
import dev.zerogate.proto.identity.v1.ListDevicesRequest;
import dev.zerogate.proto.identity.v1.ListDevicesResponse;
import dev.zerogate.proto.identity.v1.ListGroupsRequest;
import dev.zerogate.proto.identity.v1.ListGroupsResponse;
import dev.zerogate.proto.identity.v1.ListSessionsRequest;
import dev.zerogate.proto.identity.v1.ListSessionsResponse;
import dev.zerogate.proto.identity.v1.ListUsersRequest;
import dev.zerogate.proto.identity.v1.ListUsersResponse;
import dev.zerogate.proto.identity.v1.MutinyIdentityAdminServiceGrpc;
import dev.zerogate.proto.identity.v1.RevokeDeviceRequest;
import dev.zerogate.proto.identity.v1.RevokeDeviceResponse;
import dev.zerogate.proto.identity.v1.RevokeGroupSessionsRequest;
import dev.zerogate.proto.identity.v1.RevokeGroupSessionsResponse;
import dev.zerogate.proto.identity.v1.RevokeSessionRequest;
import dev.zerogate.proto.identity.v1.RevokeSessionResponse;
import dev.zerogate.proto.identity.v1.RevokeUserRequest;
import dev.zerogate.proto.identity.v1.RevokeUserResponse;
import dev.zerogate.proto.identity.v1.SessionState;
import dev.zerogate.proto.identity.v1.SetDeviceTrustRequest;
import dev.zerogate.proto.identity.v1.SetDeviceTrustResponse;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.mutiny.Uni;

import java.util.Optional;

/**
 * gRPC adapter for `zerogate.identity.v1.IdentityAdminService`: every rpc for admins only
 * (a user in the configured admin group), checked before anything else. Users, groups,
 * devices and sessions here; the rest of the contract (connectors, service accounts) in
 * the rpcs below them.
 */
@GrpcService
@RegisterInterceptor(AccessTokenInterceptor.class)
public class IdentityAdminGrpcService extends MutinyIdentityAdminServiceGrpc.IdentityAdminServiceImplBase {

    /** Admin calls carry no client address worth recording beyond the admin: the audit names the caller. */
    static final String SOURCE = "grpc";

    private final CallerRoles roles;
    private final UserAdministration users;
    private final DeviceAdministration devices;
    private final IdentityConfig config;
    private final ServiceAccounts serviceAccounts;
    private final ConnectorCredentialIssuer connectors;
    private final java.time.Clock clock;

    IdentityAdminGrpcService(CallerRoles roles, UserAdministration users, DeviceAdministration devices, IdentityConfig config,
                             ServiceAccounts serviceAccounts, ConnectorCredentialIssuer connectors, java.time.Clock clock) {
        this.connectors = connectors;
        this.serviceAccounts = serviceAccounts;
        this.clock = clock;
        this.roles = roles;
        this.users = users;
        this.devices = devices;
        this.config = config;
    }

    /** Checks the admin role, then runs {@code call} with the admin's id; every failure becomes a status. */
    private <T> Uni<T> asAdmin(java.util.function.Function<String, Uni<T>> call) {
        try {
            // Read in the handler's own thread, where the call's gRPC context is current.
            String admin = roles.requireAdmin().subject();
            return call.apply(admin).onFailure().transform(GrpcErrors::toStatus);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public Uni<ListUsersResponse> listUsers(ListUsersRequest request) {
        return asAdmin(admin -> {
            Optional<Boolean> revoked = switch (request.getState()) {
                case USER_STATE_ACTIVE -> Optional.of(false);
                case USER_STATE_REVOKED -> Optional.of(true);
                default -> Optional.empty();
            };
            PageRequest page = PageRequest.of(request.getPageSize(), request.getPageToken(),
                    "users|" + request.getQuery() + "|" + request.getState());
            return users.listUsers(page, request.getQuery(), revoked).map(result -> ListUsersResponse.newBuilder()
                    .addAllUsers(result.items().stream().map(u -> ProtoMapping.user(u, config.adminGroup())).toList())
                    .setNextPageToken(result.nextPageToken()).build());
        });
    }

    @Override
    public Uni<RevokeUserResponse> revokeUser(RevokeUserRequest request) {
        return asAdmin(admin -> users.revokeUser(ProtoMapping.uuid(request.getUserId(), "user_id"), ProtoMapping.reason(request.getReason()),
                        admin, SOURCE)
                .map(user -> RevokeUserResponse.newBuilder().setUser(ProtoMapping.user(user, config.adminGroup())).build()));
    }

    @Override
    public Uni<ListGroupsResponse> listGroups(ListGroupsRequest request) {
        return asAdmin(admin -> users.listGroups(PageRequest.of(request.getPageSize(), request.getPageToken(),
                        "groups|" + request.getQuery() + "|" + request.getSource()), request.getQuery())
                .map(result -> ListGroupsResponse.newBuilder()
                        .addAllGroups(result.items().stream().map(ProtoMapping::group)
                                .filter(g -> request.getSourceValue() == 0 || g.getSource() == request.getSource()).toList())
                        .setNextPageToken(result.nextPageToken()).build()));
    }

    @Override
    public Uni<RevokeGroupSessionsResponse> revokeGroupSessions(RevokeGroupSessionsRequest request) {
        return asAdmin(admin -> users.revokeGroupSessions(ProtoMapping.uuid(request.getGroupId(), "group_id"),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(counts -> RevokeGroupSessionsResponse.newBuilder()
                        .setRevokedSessionCount(counts[0]).setAffectedUserCount(counts[1]).build()));
    }

    @Override
    public Uni<ListDevicesResponse> listDevices(ListDevicesRequest request) {
        return asAdmin(admin -> {
            if (request.hasServiceAccountId()) {
                // Service accounts do not enrol devices yet: their filter matches nothing.
                return Uni.createFrom().item(ListDevicesResponse.getDefaultInstance());
            }
            Optional<java.util.UUID> owner = request.hasUserId()
                    ? Optional.of(ProtoMapping.uuid(request.getUserId(), "user_id")) : Optional.empty();
            Optional<Boolean> revoked = request.getState() == DeviceState.DEVICE_STATE_ACTIVE ? Optional.of(false)
                    : request.getState() == DeviceState.DEVICE_STATE_REVOKED ? Optional.of(true) : Optional.empty();
            PageRequest page = PageRequest.of(request.getPageSize(), request.getPageToken(),
                    "devices|" + request.getUserId() + "|" + request.getState());
            return devices.list(page, owner, revoked).map(result -> ListDevicesResponse.newBuilder()
                    .addAllDevices(result.items().stream().map(ProtoMapping::device).toList())
                    .setNextPageToken(result.nextPageToken()).build());
        });
    }

    @Override
    public Uni<RevokeDeviceResponse> revokeDevice(RevokeDeviceRequest request) {
        return asAdmin(admin -> devices.revoke(ProtoMapping.uuid(request.getDeviceId(), "device_id"),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(device -> RevokeDeviceResponse.newBuilder().setDevice(ProtoMapping.device(device)).build()));
    }

    @Override
    public Uni<SetDeviceTrustResponse> setDeviceTrust(SetDeviceTrustRequest request) {
        return asAdmin(admin -> devices.setTrust(ProtoMapping.uuid(request.getDeviceId(), "device_id"), request.getTrusted(),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(device -> SetDeviceTrustResponse.newBuilder().setDevice(ProtoMapping.device(device)).build()));
    }

    @Override
    public Uni<ListSessionsResponse> listSessions(ListSessionsRequest request) {
        return asAdmin(admin -> {
            Optional<java.util.UUID> user = request.getUserId().isEmpty() ? Optional.empty()
                    : Optional.of(ProtoMapping.uuid(request.getUserId(), "user_id"));
            Optional<String> state = request.getState() == SessionState.SESSION_STATE_UNSPECIFIED ? Optional.empty()
                    : Optional.of(request.getState().name().substring("SESSION_STATE_".length()));
            PageRequest page = PageRequest.of(request.getPageSize(), request.getPageToken(),
                    "sessions|" + request.getUserId() + "|" + request.getDeviceId() + "|" + request.getState());
            Uni<Optional<String>> deviceKey = request.getDeviceId().isEmpty() ? Uni.createFrom().item(Optional.empty())
                    : devices.keyOf(ProtoMapping.uuid(request.getDeviceId(), "device_id"));
            return deviceKey.chain(key -> request.getDeviceId().isEmpty() || key.isPresent()
                    ? users.listSessions(page, user, key, state).map(result -> ListSessionsResponse.newBuilder()
                            .addAllSessions(result.items().stream().map(ProtoMapping::session).toList())
                            .setNextPageToken(result.nextPageToken()).build())
                    : Uni.createFrom().item(ListSessionsResponse.getDefaultInstance()));
        });
    }

    @Override
    public Uni<RevokeSessionResponse> revokeSession(RevokeSessionRequest request) {
        return asAdmin(admin -> users.revokeSession(ProtoMapping.uuid(request.getSessionId(), "session_id"),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(session -> RevokeSessionResponse.newBuilder().setSession(ProtoMapping.session(session)).build()));
    }

    @Override
    public Uni<CreateServiceAccountResponse> createServiceAccount(CreateServiceAccountRequest request) {
        return asAdmin(admin -> serviceAccounts.create(request.getName(), request.getDescription(), admin, SOURCE)
                .map(view -> CreateServiceAccountResponse.newBuilder().setServiceAccount(ProtoMapping.serviceAccount(view)).build()));
    }

    @Override
    public Uni<ListServiceAccountsResponse> listServiceAccounts(ListServiceAccountsRequest request) {
        return asAdmin(admin -> {
            java.util.Optional<Boolean> revoked = switch (request.getState()) {
                case SERVICE_ACCOUNT_STATE_ACTIVE -> java.util.Optional.of(false);
                case SERVICE_ACCOUNT_STATE_REVOKED -> java.util.Optional.of(true);
                // Accounts do not expire (their keys do): nothing is in that state.
                case SERVICE_ACCOUNT_STATE_EXPIRED -> null;
                default -> java.util.Optional.empty();
            };
            if (revoked == null) {
                return Uni.createFrom().item(ListServiceAccountsResponse.getDefaultInstance());
            }
            return serviceAccounts.list(PageRequest.of(request.getPageSize(), request.getPageToken(),
                            "service-accounts|" + request.getQuery() + "|" + request.getState()), request.getQuery(), revoked)
                    .map(result -> ListServiceAccountsResponse.newBuilder()
                            .addAllServiceAccounts(result.items().stream().map(ProtoMapping::serviceAccount).toList())
                            .setNextPageToken(result.nextPageToken()).build());
        });
    }

    @Override
    public Uni<RevokeServiceAccountResponse> revokeServiceAccount(RevokeServiceAccountRequest request) {
        return asAdmin(admin -> serviceAccounts.revoke(ProtoMapping.uuid(request.getServiceAccountId(), "service_account_id"),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(view -> RevokeServiceAccountResponse.newBuilder().setServiceAccount(ProtoMapping.serviceAccount(view)).build()));
    }

    @Override
    public Uni<CreateServiceAccountKeyResponse> createServiceAccountKey(CreateServiceAccountKeyRequest request) {
        return asAdmin(admin -> {
            java.time.OffsetDateTime expiresAt = request.hasExpiresAt() ? java.time.Instant.ofEpochSecond(
                    request.getExpiresAt().getSeconds(), request.getExpiresAt().getNanos()).atOffset(java.time.ZoneOffset.UTC) : null;
            return serviceAccounts.createKey(ProtoMapping.uuid(request.getServiceAccountId(), "service_account_id"),
                            request.getDescription(), expiresAt, admin, SOURCE)
                    .map(created -> CreateServiceAccountKeyResponse.newBuilder()
                            .setKey(ProtoMapping.serviceAccountKey(created.key(), now()))
                            .setClientSecret(created.secret()).build());
        });
    }

    @Override
    public Uni<ListServiceAccountKeysResponse> listServiceAccountKeys(ListServiceAccountKeysRequest request) {
        return asAdmin(admin -> serviceAccounts.listKeys(ProtoMapping.uuid(request.getServiceAccountId(), "service_account_id"),
                        PageRequest.of(request.getPageSize(), request.getPageToken(), "keys|" + request.getServiceAccountId()))
                .map(result -> ListServiceAccountKeysResponse.newBuilder()
                        .addAllKeys(result.items().stream().map(k -> ProtoMapping.serviceAccountKey(k, now())).toList())
                        .setNextPageToken(result.nextPageToken()).build()));
    }

    @Override
    public Uni<RevokeServiceAccountKeyResponse> revokeServiceAccountKey(RevokeServiceAccountKeyRequest request) {
        return asAdmin(admin -> serviceAccounts.revokeKey(ProtoMapping.uuid(request.getKeyId(), "key_id"),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(key -> RevokeServiceAccountKeyResponse.newBuilder().setKey(ProtoMapping.serviceAccountKey(key, now())).build()));
    }

    @Override
    public Uni<CreateConnectorResponse> createConnector(CreateConnectorRequest request) {
        return asAdmin(admin -> connectors.create(ProtoMapping.uuid(request.getConnectorId(), "connector_id"),
                        ProtoMapping.uuid(request.getRemoteNetworkId(), "remote_network_id"),
                        request.hasBootstrapTtl() ? java.util.Optional.of(java.time.Duration.ofSeconds(request.getBootstrapTtl().getSeconds()))
                                : java.util.Optional.empty(), admin, SOURCE)
                .map(provisioned -> CreateConnectorResponse.newBuilder()
                        .setConnector(ProtoMapping.connector(provisioned.credential()))
                        .setAccessToken(provisioned.accessToken())
                        .setRefreshToken(provisioned.refreshToken())
                        .setDockerRunCommand(provisioned.dockerRun())
                        .putAllEnvironment(provisioned.environment())
                        .build()));
    }

    @Override
    public Uni<ListConnectorsResponse> listConnectors(ListConnectorsRequest request) {
        return asAdmin(admin -> {
            java.util.Optional<java.util.UUID> network = request.getRemoteNetworkId().isEmpty() ? java.util.Optional.empty()
                    : java.util.Optional.of(ProtoMapping.uuid(request.getRemoteNetworkId(), "remote_network_id"));
            java.util.Optional<dev.zerogate.identity.ConnectorCredential.State> state = request.getStateValue() == 0
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(dev.zerogate.identity.ConnectorCredential.State.valueOf(
                            request.getState().name().substring("CONNECTOR_CREDENTIAL_STATE_".length())));
            return connectors.list(PageRequest.of(request.getPageSize(), request.getPageToken(),
                            "connectors|" + request.getRemoteNetworkId() + "|" + request.getState()), network, state)
                    .map(result -> ListConnectorsResponse.newBuilder()
                            .addAllConnectors(result.items().stream().map(ProtoMapping::connector).toList())
                            .setNextPageToken(result.nextPageToken()).build());
        });
    }

    @Override
    public Uni<RevokeConnectorResponse> revokeConnector(RevokeConnectorRequest request) {
        return asAdmin(admin -> connectors.revoke(ProtoMapping.uuid(request.getConnectorId(), "connector_id"),
                        ProtoMapping.reason(request.getReason()), admin, SOURCE)
                .map(credential -> RevokeConnectorResponse.newBuilder().setConnector(ProtoMapping.connector(credential)).build()));
    }

    private java.time.OffsetDateTime now() {
        return java.time.OffsetDateTime.now(clock);
    }
}
