package dev.zerogate.connector.tunnel;

import dev.zerogate.connector.config.ConnectorConfig;
import dev.zerogate.connector.config.ConnectorLabels;
import dev.zerogate.connector.config.ControlPlane;
import dev.zerogate.connector.credentials.ConnectorCredentials;
import dev.zerogate.connector.policy.FlowPolicy;
import dev.zerogate.connector.policy.PolicyMirror;
import dev.zerogate.connector.policy.PolicyStreamClient;
import dev.zerogate.edge.GrpcChannels;
import dev.zerogate.edge.PublishedRelay;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.RemoteGrantVerifier;
import dev.zerogate.servicekit.token.RemoteKeySetVerifier;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts the connector's data plane once it has credentials: its copy of the policy (the live
 * stream from policy-svc), the flow gate, and one registration per relay. Nothing listens on
 * the network: every connection is dialled out.
 */
@ApplicationScoped
public class ConnectorRuntime {

    /** How soon a discovery document that could not be read or used is asked for again. */
    static final long DISCOVERY_RETRY_SECONDS = 5;

    private final ConnectorCredentials credentials;
    private final ConnectorLabels labels;
    private final ConnectorConfig config;
    private final MeterRegistry metrics;
    private final Vertx vertx;
    private final String version;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "connector-runtime");
        thread.setDaemon(true);
        return thread;
    });
    /** DNS lookups block: they run here, never on an event loop. */
    private final ExecutorService resolver = Executors.newFixedThreadPool(4, r -> {
        Thread thread = new Thread(r, "resolver");
        thread.setDaemon(true);
        return thread;
    });
    private final List<RelayLink> links = new ArrayList<>();
    private ManagedChannel policyChannel;
    private PolicyStreamClient policyStream;
    private PolicyMirror mirror;
    private FlowGate gate;

    ConnectorRuntime(ConnectorCredentials credentials, ConnectorLabels labels, ConnectorConfig config,
                     MeterRegistry metrics, Vertx vertx, @ConfigProperty(name = "quarkus.application.version") String version) {
        this.credentials = credentials;
        this.labels = labels;
        this.config = config;
        this.metrics = metrics;
        this.vertx = vertx;
        this.version = version;
    }

    void onStart(@Observes StartupEvent event) {
        if (credentials.enabled()) {
            scheduler.execute(this::startWhenCredentialed);
        }
    }

    /** The bootstrap may still be running: wait for credentials, then start. */
    private void startWhenCredentialed() {
        if (credentials.current().isEmpty()) {
            scheduler.schedule(this::startWhenCredentialed, 500, TimeUnit.MILLISECONDS);
            return;
        }
        ControlPlane plane = credentials.controlPlane();
        ControlPlane.Endpoints endpoints;
        try {
            endpoints = plane.endpoints(plane.discover());
        } catch (IOException | IllegalArgumentException e) {
            // identity-svc may be starting, or the document may name what the overrides do not: try again.
            Log.warnf("connector: cannot use the discovery document of %s: %s; retrying in %d s", plane.identity(), e.getMessage(),
                    DISCOVERY_RETRY_SECONDS);
            scheduler.schedule(this::startWhenCredentialed, DISCOVERY_RETRY_SECONDS, TimeUnit.SECONDS);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (endpoints.relays().isEmpty()) {
            Log.warnf("connector: the deployment at %s publishes no relay (ZEROGATE_PUBLIC_RELAYS on identity-svc): no client can reach"
                    + " this connector", plane.identity());
        }
        String connectorId = credentials.connectorId();
        String networkId = credentials.remoteNetworkId();
        policyChannel = GrpcChannels.open(endpoints.policy(), plane.trust());
        mirror = new PolicyMirror();
        policyStream = new PolicyStreamClient(policyChannel, connectorId, networkId, credentials::accessToken, mirror,
                PolicyStreamClient.Settings.DEFAULT);
        AuthorizationServiceGrpc.AuthorizationServiceFutureStub keys = AuthorizationServiceGrpc.newFutureStub(policyChannel);
        RemoteGrantVerifier grants = new RemoteGrantVerifier(
                new AccessGrantVerifier("zerogate-policy", GrantClaims.CONNECTOR_AUDIENCE, AccessGrantVerifier.DEFAULT_CLOCK_SKEW, clock),
                () -> {
                    CompletableFuture<RemoteKeySetVerifier.KeySet> fetched = new CompletableFuture<>();
                    var call = keys.withDeadlineAfter(10, TimeUnit.SECONDS).getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance());
                    call.addListener(() -> {
                        try {
                            var response = call.get();
                            fetched.complete(new RemoteKeySetVerifier.KeySet(response.getJwksJson(),
                                    Duration.ofSeconds(Math.max(30, response.getCacheTtl().getSeconds()))));
                        } catch (Exception e) {
                            Log.warnf("fetching policy-svc's grant keys failed: %s", e.toString());
                            fetched.completeExceptionally(e);
                        }
                    }, Runnable::run);
                    return fetched;
                }, clock);
        gate = new FlowGate(grants, new FlowPolicy(networkId, connectorId, mirror, clock, AccessGrantVerifier.DEFAULT_CLOCK_SKEW),
                new FlowLog(System.out, clock), resolver, metrics, clock, config.maxFlowsPerUser());
        mirror.addListener(gate::recheck);
        policyStream.start();
        for (PublishedRelay relay : endpoints.relays()) {
            RelayLink link = new RelayLink(relay, plane.trust(), credentials, gate, vertx.nettyEventLoopGroup(), scheduler, version,
                    labels.map(), gate::activeFlows);
            links.add(link);
            link.start();
        }
        Log.infof("connector %s of network %s serves through %d relay(s)", connectorId, networkId, links.size());
    }

    void onStop(@Observes ShutdownEvent event) {
        links.forEach(RelayLink::close);
        if (policyStream != null) {
            policyStream.close();
        }
        if (policyChannel != null) {
            policyChannel.shutdownNow();
        }
        scheduler.shutdownNow();
        resolver.shutdownNow();
    }
}
