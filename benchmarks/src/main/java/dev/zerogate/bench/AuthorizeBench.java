package dev.zerogate.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;

import dev.zerogate.runkit.DatabaseLogin;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.Decision;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.Protocol;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * {@code ./bench authorize}: Authorize over gRPC on loopback against a packaged policy-svc (with
 * its own PostgreSQL, started for the run) holding 10,000 resources and 1,000 rules, at fixed
 * offered rates, beside the same harness calling GetGrantSigningKeys (a trivial rpc of the same
 * server) as the baseline: the difference is what a decision costs beyond a gRPC round trip.
 *
 * <p>Open loop: request i is due at start + i / rate, and its latency is measured from when it
 * was due, so a stalled server shows in the figures instead of slowing the load down
 * (coordinated omission).
 */
final class AuthorizeBench {

    private static final int RESOURCES = 10_000;
    private static final int RULES = 1_000;
    private static final int GROUPS = 100;
    private static final int USERS = 500;
    private static final int[] RATES = {500, 1_000, 2_500, 5_000};
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration MEASURE = Duration.ofSeconds(15);
    private static final int CHANNELS = 4;
    private static final int IN_FLIGHT = 64;

    private AuthorizeBench() {
    }

    static void run() throws Exception {
        Path project = Path.of(System.getProperty("zerogate.project", ".")).toAbsolutePath();
        Path home = Files.createTempDirectory("zerogate-bench-authorize-");
        int base = Bench.freePortBase();
        System.out.println();
        System.out.printf("Authorize over gRPC on loopback: policy-svc (packaged, -Xmx512m) with %,d resources and %,d rules%n",
                RESOURCES, RULES);
        Process policy = null;
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"))) {
            DatabaseLogin login = postgres.ensureDatabase("zerogate_policy");
            int port = base + 1;
            policy = start(project, home, login, port);
            Process started = policy;
            // Ctrl-C runs shutdown hooks, not finally blocks: do not leave policy-svc running.
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
            awaitReady(port, policy, home);
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < CHANNELS; i++) {
                channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
            }
            try {
                List<AuthorizeRequest> requests = new ArrayList<>();
                List<String> tokens = new ArrayList<>();
                long loadStarted = System.nanoTime();
                load(channels.get(0), requests, tokens);
                System.out.printf("  policy loaded through the admin API in %.1f s%n", (System.nanoTime() - loadStarted) / 1e9);

                List<AuthorizationServiceGrpc.AuthorizationServiceFutureStub> authorize = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    authorize.add(GrpcProbe.withBearer(AuthorizationServiceGrpc.newFutureStub(channels.get(i % CHANNELS)), tokens.get(i)));
                }
                List<AuthorizationServiceGrpc.AuthorizationServiceFutureStub> plain = channels.stream()
                        .map(AuthorizationServiceGrpc::newFutureStub).toList();
                AtomicInteger permits = new AtomicInteger();
                AtomicInteger answered = new AtomicInteger();
                // JIT, connection pools and the engine snapshot's first build: not part of any figure.
                drive(1_000, i -> authorize.get(i % USERS).authorize(requests.get(i % requests.size())));
                System.out.printf("  capacity, closed loop with %d calls in flight:  Authorize %,6.0f/s   baseline GetGrantSigningKeys %,6.0f/s%n",
                        IN_FLIGHT, capacity(i -> authorize.get(i % USERS).authorize(requests.get(i % requests.size()))),
                        capacity(i -> plain.get(i % CHANNELS).getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance())));
                for (int rate : RATES) {
                    Result decisions = drive(rate, i -> {
                        int user = i % USERS;
                        ListenableFuture<?> call = authorize.get(user).authorize(requests.get(i % requests.size()));
                        Futures.addCallback(call, new FutureCallback<Object>() {
                            @Override
                            public void onSuccess(Object result) {
                                answered.incrementAndGet();
                                if (((dev.zerogate.proto.policy.v1.AuthorizeResponse) result).getDecision() == Decision.DECISION_PERMIT) {
                                    permits.incrementAndGet();
                                }
                            }

                            @Override
                            public void onFailure(Throwable t) {
                            }
                        }, MoreExecutors.directExecutor());
                        return call;
                    });
                    Result baseline = drive(rate, i -> plain.get(i % CHANNELS).getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance()));
                    System.out.printf("  offered %,5d/s  Authorize            %s%n", rate, decisions);
                    System.out.printf("                 baseline: GetGrantSigningKeys %s%n", baseline);
                }
                System.out.printf("  (%d%% of the decisions permitted, with a signed grant)%n",
                        Math.round(100.0 * permits.get() / Math.max(1, answered.get())));
            } finally {
                for (ManagedChannel channel : channels) {
                    channel.shutdownNow();
                }
            }
        } finally {
            if (policy != null) {
                policy.destroy();
                if (!policy.waitFor(20, TimeUnit.SECONDS)) {
                    policy.destroyForcibly();
                }
            }
            Bench.deleteRecursively(home);
        }
    }

    private static Process start(Path project, Path home, DatabaseLogin login, int port) throws IOException {
        // -Dzerogate.bench.service-java=/path/to/bin/java runs policy-svc on another JDK (e.g. 25: faster ECDSA).
        String java = System.getProperty("zerogate.bench.service-java", LocalOptions.currentJava());
        System.out.println("  policy-svc runs on " + java);
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseParallelGC", "-jar",
                project.resolve("policy-svc/target/quarkus-app/quarkus-run.jar").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(home.resolve("policy.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", login.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", login.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", login.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", login.password());
        env.put("ZEROGATE_POLICY_IDENTITY_URL", TestIdentity.instance().url());
        env.put("ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy-master.key").toString());
        // One caller per token would be throttled at 50/s; the benchmark measures the decision, not the throttle.
        env.put("ZEROGATE_POLICY_DECISIONS_PER_CALLER_PER_SECOND", "1000000");
        return builder.start();
    }

    private static void awaitReady(int port, Process process, Path home) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(240);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("policy-svc exited: " + Files.readString(home.resolve("policy.log")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("policy-svc was not ready in time");
    }

    /** The destination that reaches resource {@code i} (kinds rotate: name, address, CIDR, wildcard). */
    private static String destination(int i) {
        return switch (i % 4) {
            case 0 -> "svc-" + i + ".lab.home";
            case 1 -> "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            case 2 -> "100." + (64 + (i >> 14)) + "." + (i >> 6 & 255) + "." + ((i & 63) * 4 + 1);
            default -> "app.w" + i + ".lab.home";
        };
    }

    private static ResourceAddress address(int i) {
        return switch (i % 4) {
            case 0 -> ResourceAddress.newBuilder().setFqdn(destination(i)).build();
            case 1 -> ResourceAddress.newBuilder().setIpAddress(destination(i)).build();
            case 2 -> ResourceAddress.newBuilder().setCidr("100." + (64 + (i >> 14)) + "." + (i >> 6 & 255) + "." + ((i & 63) * 4) + "/30").build();
            default -> ResourceAddress.newBuilder().setWildcard("*.w" + i + ".lab.home").build();
        };
    }

    /** 10,000 resources, 100 groups of 5 users each, 1,000 rules of 10 resources; tokens and requests for 500 users. */
    private static void load(ManagedChannel channel, List<AuthorizeRequest> requests, List<String> tokens) throws Exception {
        var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(channel),
                TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins").withLifetime(Duration.ofHours(1))));
        String network = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder().setRemoteNetwork(RemoteNetwork.newBuilder()
                .setName("bench")).build()).getRemoteNetwork().getId();
        PortPolicy ports = PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                .addRanges(PortRange.newBuilder().setFirstPort(22).setLastPort(22))
                .addRanges(PortRange.newBuilder().setFirstPort(443).setLastPort(443))
                .addRanges(PortRange.newBuilder().setFirstPort(3000).setLastPort(3999))).build();
        String[] resourceIds = new String[RESOURCES];
        for (int i = 0; i < RESOURCES; i++) {
            resourceIds[i] = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(network).setName("resource " + i).setAddress(address(i)).setTcp(ports)).build()).getResource().getId();
        }
        String[] userIds = new String[USERS];
        for (int u = 0; u < USERS; u++) {
            userIds[u] = UUID.randomUUID().toString();
        }
        String[] groupIds = new String[GROUPS];
        for (int g = 0; g < GROUPS; g++) {
            Group.Builder group = Group.newBuilder().setName("group " + g).setSource(GroupSource.GROUP_SOURCE_LOCAL);
            for (int u = g; u < USERS; u += GROUPS) {
                group.addMembers(GroupMember.newBuilder().setUserId(userIds[u]));
            }
            groupIds[g] = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(group).build()).getGroup().getId();
        }
        for (int r = 0; r < RULES; r++) {
            AccessRule.Builder rule = AccessRule.newBuilder().setName("rule " + r).setGroupId(groupIds[r % GROUPS]);
            for (int k = 0; k < RESOURCES / RULES; k++) {
                rule.addResourceIds(resourceIds[r * (RESOURCES / RULES) + k]);
            }
            if (r % 3 == 0) {
                rule.setConditions(AccessConditions.newBuilder().setRequireMfa(true));
            } else if (r % 3 == 1) {
                rule.setConditions(AccessConditions.newBuilder().setMaxAuthAge(com.google.protobuf.Duration.newBuilder().setSeconds(8 * 3600)));
            }
            admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(rule).build());
        }
        Random random = new Random(42);
        for (int u = 0; u < USERS; u++) {
            String device = UUID.randomUUID().toString();
            tokens.add(TestIdentity.instance().token(Claims.user(userIds[u]).withAmr("pwd", "otp").withDevice(device, "bench-" + u)
                    .withLifetime(Duration.ofHours(1))));
            // Four in five requests ask for a resource a rule of the user's group lists; the rest for any resource.
            for (int k = 0; k < 8; k++) {
                int resource;
                if (k < 6) {
                    int rule = (u % GROUPS) + GROUPS * random.nextInt(RULES / GROUPS);
                    resource = rule * (RESOURCES / RULES) + random.nextInt(RESOURCES / RULES);
                } else {
                    resource = random.nextInt(RESOURCES);
                }
                requests.add(AuthorizeRequest.newBuilder().setDeviceId(device).setDestination(destination(resource)).setPort(443)
                        .setProtocol(Protocol.PROTOCOL_TCP).build());
            }
        }
        // Request i goes to user i % USERS: keep each user's own requests at positions of that user.
        List<AuthorizeRequest> byPosition = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            int user = i % USERS;
            byPosition.add(requests.get(user * 8 + (i / USERS) % 8));
        }
        requests.clear();
        requests.addAll(byPosition);
    }

    /** Latencies of one measured run and what went wrong. */
    private record Result(int sent, double seconds, long[] latenciesMicros, Map<String, Integer> errors) {

        /** Latencies of every measured call (unanswered ones with what they waited); ok/s counts answers only. */
        @Override
        public String toString() {
            long[] sorted = Arrays.stream(latenciesMicros).sorted().toArray();
            int ok = sorted.length - errors.values().stream().mapToInt(Integer::intValue).sum();
            return String.format("%,6.0f ok/s   p50 %8.2f ms   p90 %8.2f ms   p99 %8.2f ms   max %8.2f ms%s",
                    ok / seconds, at(sorted, 50) / 1e3, at(sorted, 90) / 1e3, at(sorted, 99) / 1e3,
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e3, errors.isEmpty() ? "" : "   errors " + errors);
        }

        private static double at(long[] sorted, double percentile) {
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100 * sorted.length) - 1)];
        }
    }

    /** Answers per second with {@link #IN_FLIGHT} calls always outstanding, over the measured window. */
    private static double capacity(Function<Integer, ListenableFuture<?>> call) throws InterruptedException {
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(IN_FLIGHT);
        AtomicInteger answered = new AtomicInteger();
        long end = System.nanoTime() + MEASURE.toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            slots.acquire();
            ListenableFuture<?> future = call.apply(i++);
            future.addListener(() -> {
                answered.incrementAndGet();
                slots.release();
            }, MoreExecutors.directExecutor());
        }
        slots.acquire(IN_FLIGHT);
        return answered.get() / (MEASURE.toNanos() / 1e9);
    }

    /** Offers {@code rate} calls per second open-loop: warm-up, then the measured window. */
    private static Result drive(int rate, Function<Integer, ListenableFuture<?>> call) throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        int warmUp = (int) (WARM_UP.toSeconds() * rate);
        int measured = (int) (MEASURE.toSeconds() * rate);
        long[] latencies = new long[measured];
        Arrays.fill(latencies, -1);
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(warmUp + measured);
        long start = System.nanoTime() + 10_000_000L;
        for (int i = 0; i < warmUp + measured; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i - warmUp;
            Futures.addCallback(call.apply(i), new FutureCallback<Object>() {
                @Override
                public void onSuccess(Object result) {
                    if (index >= 0) {
                        latencies[index] = (System.nanoTime() - due) / 1_000;
                    }
                    done.countDown();
                }

                @Override
                public void onFailure(Throwable t) {
                    if (index >= 0) {
                        latencies[index] = (System.nanoTime() - due) / 1_000;
                        errors.merge(Status.fromThrowable(t).getCode().name(), 1, Integer::sum);
                    }
                    done.countDown();
                }
            }, MoreExecutors.directExecutor());
        }
        boolean allAnswered = done.await(60, TimeUnit.SECONDS);
        long answeredBy = System.nanoTime();
        // A call still unanswered counts with the time it has waited so far, so a saturated run's
        // tail is not understated by leaving it out.
        for (int i = 0; i < measured; i++) {
            if (latencies[i] < 0) {
                latencies[i] = (answeredBy - (start + (long) (warmUp + i) * interval)) / 1_000;
            }
        }
        if (!allAnswered) {
            errors.merge("UNANSWERED", (int) done.getCount(), Integer::sum);
        }
        // The achieved rate is over the time the answers really took, not the scheduled window.
        long firstDue = start + (long) warmUp * interval;
        long measuredNanos = Math.max((long) measured * interval, answeredBy - firstDue);
        return new Result(measured, measuredNanos / 1e9, latencies, new TreeMap<>(errors));
    }
}
