package dev.zerogate.client.login;

import dev.zerogate.proto.identity.v1.CreateConnectorRequest;
import dev.zerogate.proto.identity.v1.CreateConnectorResponse;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;

/**
 * identity-svc's admin API as the logged-in person, for the admin commands whose work is
 * identity-svc's: a connector's one-time credentials. Role checks stay in identity-svc.
 */
public final class IdentityAdmin {

    private IdentityAdmin() {
    }

    /** The bootstrap tokens and run settings of connector {@code connectorId} (secrets: shown once). */
    public static CreateConnectorResponse createConnector(LoginCredentials credentials, ClientAccess access, String connectorId,
                                                          String networkId) throws InterruptedException {
        try (IdentityChannel identity = new IdentityChannel(credentials.server(), access)) {
            return IdentityChannel.authorized(IdentityAdminServiceGrpc.newBlockingStub(identity.channel()), credentials.accessToken())
                    .createConnector(CreateConnectorRequest.newBuilder().setConnectorId(connectorId).setRemoteNetworkId(networkId).build());
        }
    }
}
