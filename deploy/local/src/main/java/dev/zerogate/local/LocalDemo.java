package dev.zerogate.local;

import dev.zerogate.runkit.IdentityLogin;
import dev.zerogate.runkit.Secrets;

import com.google.gson.JsonParser;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The local run's demo: on the first start it creates the first admin (user {@value #ADMIN},
 * a generated password kept in {@code secrets/admin.password}), signs in as that admin with
 * the CLI's device login, and through the services' own admin APIs creates a remote network,
 * its connector, a resource for the demo web page ({@link DemoWebPage}), a group with the
 * admin in it and a rule granting the group the page; then it issues the connector's
 * bootstrap credentials. What it created is recorded in {@code demo.properties} (ids only, no
 * secret); later starts reuse it, and the connector keeps its own rotated credentials in its
 * state directory.
 *
 * <p>When someone else created the first admin (this data directory predates the demo, or
 * the admin was made with the setup link), the local run does not provision anything: it
 * cannot act as an admin it has no password for.
 */
public final class LocalDemo {

    /** The first admin's user name when the local run creates it. */
    public static final String ADMIN = "admin";
    /** Offset of the demo web page's port from the port base. */
    public static final int WEB_PAGE_PORT_OFFSET = 6;
    /** The demo web page's heading: what a person (or a test) sees when the tunnel works. */
    public static final String WEB_PAGE_HEADING = "You reached the zerogate demo";
    /** Offset of the relay's public port (clients and connectors dial it) from the port base. */
    public static final int RELAY_PUBLIC_PORT_OFFSET = 5;

    static final String STATE_FILE = "demo.properties";
    private static final long CALL_TIMEOUT_SECONDS = 30;

    /** What the demo consists of, by id. */
    public record Provisioned(String networkId, String connectorId, String resourceId, String groupId, String ruleId) {
    }

    /**
     * How the connector is started this time: its environment beyond the stack's, and the demo
     * if there is one (empty with the reason when the local run could not provision it).
     */
    record ConnectorSetup(Map<String, String> environment, Optional<Provisioned> demo, Optional<String> notProvisioned) {
    }

    private LocalDemo() {
    }

    /** The admin's password file the demo created, in the data directory. */
    public static Path adminPasswordFile(LocalOptions options) {
        return options.home().resolve("secrets").resolve(ADMIN + ".password");
    }

    /** The admin's password, if the local run created the admin. */
    public static Optional<String> adminPassword(LocalOptions options) throws IOException {
        Path file = adminPasswordFile(options);
        return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
    }

    /** Signs in as the admin the local run created; returns an access token for the admin APIs. */
    public static String signInAsAdmin(LocalOptions options) throws IOException {
        String password = adminPassword(options).orElseThrow(() -> new IOException("the local run did not create the admin of "
                + options.home() + " (no " + adminPasswordFile(options) + ")"));
        return IdentityLogin.at(options.identityUrl()).deviceLogin(ADMIN, password, Map.of());
    }

    /** The demo recorded in the data directory, if it was provisioned. */
    public static Optional<Provisioned> recorded(LocalOptions options) throws IOException {
        Path file = options.home().resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties state = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            state.load(in);
        }
        return Optional.of(new Provisioned(required(state, "network"), required(state, "connector"), required(state, "resource"),
                required(state, "group"), required(state, "rule")));
    }

    /**
     * The admin the local run acts as. It signs in (a device login, one password check) at the
     * first call that needs a token, so a start with everything provisioned signs in not at all.
     */
    static final class Admin {
        private final LocalOptions options;
        private String token;

        private Admin(LocalOptions options) {
            this.options = options;
        }

        String token() throws IOException {
            if (token == null) {
                token = signInAsAdmin(options);
            }
            return token;
        }
    }

    /**
     * The run's own admin, created first with this start's setup token when no admin exists
     * yet. Empty when the data directory's admin was made by someone else (the run has no
     * password for them).
     */
    static Optional<Admin> ownAdmin(LocalOptions options, Optional<String> setupToken) throws IOException {
        boolean ours = Files.exists(adminPasswordFile(options));
        if (!ours && setupToken.isEmpty()) {
            return Optional.empty();
        }
        if (!ours) {
            Secrets secrets = Secrets.in(options.home().resolve("secrets"));
            IdentityLogin.at(options.identityUrl()).createFirstAdmin(setupToken.get(), ADMIN, secrets.getOrCreate(ADMIN));
        }
        return Optional.of(new Admin(options));
    }

    /**
     * Called once identity-svc, policy-svc and the relay are ready and before the connector
     * starts: provisions the demo if needed (as {@code admin}) and says how to start the
     * connector.
     */
    static ConnectorSetup prepare(LocalOptions options, Optional<Admin> admin) throws IOException {
        Map<String, String> environment = new LinkedHashMap<>();
        Optional<Provisioned> existing = recorded(options);
        if (existing.isPresent()) {
            environment.putAll(connectorEnvironment(options));
            return new ConnectorSetup(environment, existing, Optional.empty());
        }
        if (admin.isEmpty()) {
            return new ConnectorSetup(Map.of(), Optional.empty(), Optional.of("an admin created outside the local run exists, "
                    + "so it provisions no demo; add a connector with: zerogate admin connectors create --network ID"));
        }
        String token = admin.get().token();
        Provisioned demo;
        Map<String, String> bootstrap;
        ManagedChannel policy = channel(ServiceSpec.ALL.get(1).port(options.portBase()));
        ManagedChannel identity = channel(ServiceSpec.ALL.get(0).port(options.portBase()));
        try {
            demo = createPolicy(authorised(PolicyAdminServiceGrpc.newBlockingStub(policy), token), subject(token),
                    options.portBase() + WEB_PAGE_PORT_OFFSET);
            bootstrap = authorised(IdentityAdminServiceGrpc.newBlockingStub(identity), token)
                    .createConnector(dev.zerogate.proto.identity.v1.CreateConnectorRequest.newBuilder()
                            .setConnectorId(demo.connectorId()).setRemoteNetworkId(demo.networkId()).build())
                    .getEnvironmentMap();
        } catch (StatusRuntimeException e) {
            throw new IOException("provisioning the demo failed: " + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
        } finally {
            policy.shutdownNow();
            identity.shutdownNow();
        }
        record(options, demo);
        environment.putAll(connectorEnvironment(options));
        // The one-time bootstrap pair; the connector exchanges it and keeps what it gets.
        environment.put("ZEROGATE_ACCESS_TOKEN", bootstrap.get("ZEROGATE_ACCESS_TOKEN"));
        environment.put("ZEROGATE_REFRESH_TOKEN", bootstrap.get("ZEROGATE_REFRESH_TOKEN"));
        return new ConnectorSetup(environment, Optional.of(demo), Optional.empty());
    }

    private static Provisioned createPolicy(PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin, String adminUserId, int webPort) {
        String network = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder().setRemoteNetwork(RemoteNetwork.newBuilder()
                .setName("local demo").setDescription("created by zerogate-local")).build()).getRemoteNetwork().getId();
        String connector = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                .setName("local connector").setRemoteNetworkId(network)).build()).getConnector().getId();
        String resource = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                .setRemoteNetworkId(network).setName("demo web page")
                .setAddress(ResourceAddress.newBuilder().setIpAddress("127.0.0.1"))
                .setTcp(PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                        .addRanges(PortRange.newBuilder().setFirstPort(webPort).setLastPort(webPort))))).build()).getResource().getId();
        String group = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("demo")
                .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(adminUserId))).build())
                .getGroup().getId();
        String rule = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder()
                .setName("demo → demo web page").setGroupId(group).addResourceIds(resource)).build()).getRule().getId();
        return new Provisioned(network, connector, resource, group, rule);
    }

    /**
     * The connector's control plane in this run: the one URL (its discovery document names
     * policy-svc and the relay); its credentials come from its state directory.
     */
    private static Map<String, String> connectorEnvironment(LocalOptions options) {
        return Map.of("ZEROGATE_CONNECTOR_CONTROL_PLANE_ENABLED", "true",
                "ZEROGATE_URL", options.identityUrl(),
                "ZEROGATE_LABEL_SITE", "local run");
    }

    private static void record(LocalOptions options, Provisioned demo) throws IOException {
        Properties state = new Properties();
        state.setProperty("network", demo.networkId());
        state.setProperty("connector", demo.connectorId());
        state.setProperty("resource", demo.resourceId());
        state.setProperty("group", demo.groupId());
        state.setProperty("rule", demo.ruleId());
        Path file = options.home().resolve(STATE_FILE);
        Path partial = options.home().resolve(STATE_FILE + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            state.store(out, "what zerogate-local created for its demo (ids only); delete the demo in the admin API, then this file, to start over");
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String required(Properties state, String key) throws IOException {
        String value = state.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IOException(STATE_FILE + " has no " + key);
        }
        return value;
    }

    /** The user id ({@code sub}) an access token was issued to; the token was just issued to us by identity-svc. */
    private static String subject(String accessToken) throws IOException {
        String[] parts = accessToken.split("\\.");
        if (parts.length != 3) {
            throw new IOException("identity-svc's access token is not a JWT");
        }
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        return JsonParser.parseString(payload).getAsJsonObject().get("sub").getAsString();
    }

    static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    static <S extends AbstractStub<S>> S authorised(S stub, String accessToken) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + accessToken);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
