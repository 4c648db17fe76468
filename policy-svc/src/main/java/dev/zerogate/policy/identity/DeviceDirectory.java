package dev.zerogate.policy.identity;

import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.DeviceState;
import dev.zerogate.proto.identity.v1.GetDeviceRequest;
import dev.zerogate.proto.identity.v1.GetDeviceResponse;
import dev.zerogate.proto.identity.v1.IdentityEventsServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What identity-svc knows about a device (its last posture report, the admin's trust mark, its
 * state), for posture conditions; answers are cached for {@link #TTL}, so a new report or a
 * change of trust counts within that time. Fails closed: when identity-svc cannot be asked
 * (not configured, down), the device's posture is unknown, which fails every posture
 * requirement; a revoked device is refused outright.
 */
@ApplicationScoped
public class DeviceDirectory {

    static final Duration TTL = Duration.ofSeconds(30);
    private static final int MAX_CACHED = 100_000;

    private record Cached(Device device, Instant fetchedAt) {}

    private final IdentityConnection identity;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    DeviceDirectory(IdentityConnection identity, Clock clock) {
        this.identity = identity;
        this.clock = clock;
    }

    /** The device as decisions see it; PERMISSION_DENIED when identity-svc says it is revoked. */
    public Uni<Device> lookup(String deviceId) {
        Cached cached = cache.get(deviceId);
        Instant now = clock.instant();
        if (cached != null && cached.fetchedAt().plus(TTL).isAfter(now)) {
            return Uni.createFrom().item(cached.device());
        }
        if (!identity.configured()) {
            return Uni.createFrom().item(unknown(deviceId));
        }
        return identity.accessToken().chain(token -> Uni.createFrom().<GetDeviceResponse>emitter(emitter ->
                        identity.withToken(IdentityEventsServiceGrpc.newStub(identity.channel()), token)
                                .withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
                                .getDevice(GetDeviceRequest.newBuilder().setDeviceId(deviceId).build(), new StreamObserver<>() {
                                    @Override
                                    public void onNext(GetDeviceResponse value) {
                                        emitter.complete(value);
                                    }

                                    @Override
                                    public void onError(Throwable t) {
                                        emitter.fail(t);
                                    }

                                    @Override
                                    public void onCompleted() {
                                        // onNext completed it
                                    }
                                })))
                .map(response -> {
                    var device = response.getDevice();
                    if (device.getState() == DeviceState.DEVICE_STATE_REVOKED) {
                        cache.remove(deviceId);
                        throw new PolicyError(PolicyError.Kind.PERMISSION_DENIED, "device_id", "device " + deviceId
                                + " is revoked: enrol this computer again with `zerogate login`");
                    }
                    Device facts = facts(deviceId, device.hasPosture() ? Optional.of(device.getPosture()) : Optional.empty(),
                            device.getTrusted());
                    remember(deviceId, facts, now);
                    return facts;
                })
                .onFailure(e -> !(e instanceof PolicyError)).recoverWithItem(failure -> {
                    if (failure instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                        identity.forgetToken();
                    }
                    Log.warnf("device %s could not be read from identity-svc (%s): its posture counts as unknown", deviceId,
                            failure.toString());
                    return unknown(deviceId);
                });
    }

    private void remember(String deviceId, Device facts, Instant now) {
        if (cache.size() >= MAX_CACHED) {
            cache.entrySet().removeIf(entry -> !entry.getValue().fetchedAt().plus(TTL).isAfter(now));
        }
        cache.put(deviceId, new Cached(facts, now));
    }

    /** A device of which nothing is known: every posture requirement fails on it. */
    public static Device unknown(String deviceId) {
        return new Device(deviceId, OperatingSystem.UNSPECIFIED, Optional.empty(), PostureFlag.UNKNOWN, PostureFlag.UNKNOWN,
                Optional.empty(), false);
    }

    static Device facts(String deviceId, Optional<DevicePosture> posture, boolean trusted) {
        if (posture.isEmpty()) {
            return new Device(deviceId, OperatingSystem.UNSPECIFIED, Optional.empty(), PostureFlag.UNKNOWN, PostureFlag.UNKNOWN,
                    Optional.empty(), trusted);
        }
        DevicePosture reported = posture.get();
        OperatingSystem os = operatingSystem(reported.getOs());
        return new Device(deviceId, os, optional(reported.getOsVersion()),
                !reported.hasDiskEncrypted() ? PostureFlag.UNKNOWN : reported.getDiskEncrypted() ? PostureFlag.ON : PostureFlag.OFF,
                !reported.hasScreenLockEnabled() ? PostureFlag.UNKNOWN : reported.getScreenLockEnabled() ? PostureFlag.ON : PostureFlag.OFF,
                optional(reported.getClientVersion()), trusted);
    }

    /**
     * The engine's operating system for what identity-svc reports, value by value; unreported or
     * unknown is UNSPECIFIED, which meets no requirement.
     */
    static OperatingSystem operatingSystem(dev.zerogate.proto.identity.v1.OperatingSystem os) {
        return switch (os) {
            case OPERATING_SYSTEM_LINUX -> OperatingSystem.LINUX;
            case OPERATING_SYSTEM_MACOS -> OperatingSystem.MACOS;
            case OPERATING_SYSTEM_WINDOWS -> OperatingSystem.WINDOWS;
            case OPERATING_SYSTEM_IOS -> OperatingSystem.IOS;
            case OPERATING_SYSTEM_ANDROID -> OperatingSystem.ANDROID;
            case OPERATING_SYSTEM_FREEBSD -> OperatingSystem.FREEBSD;
            case OPERATING_SYSTEM_UNSPECIFIED, UNRECOGNIZED -> OperatingSystem.UNSPECIFIED;
        };
    }

    private static Optional<String> optional(String text) {
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
