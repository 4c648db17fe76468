package dev.zerogate.identity.grpc;

import com.google.protobuf.Timestamp;
import dev.zerogate.identity.Revocation;
import dev.zerogate.identity.service.DeviceAdministration;
import dev.zerogate.identity.service.RevocationLog;
import dev.zerogate.proto.identity.v1.GetDeviceRequest;
import dev.zerogate.proto.identity.v1.GetDeviceResponse;
import dev.zerogate.proto.identity.v1.MutinyIdentityEventsServiceGrpc;
import dev.zerogate.proto.identity.v1.RevocationEvent;
import dev.zerogate.proto.identity.v1.RevocationKeepAlive;
import dev.zerogate.proto.identity.v1.WatchRevocationsRequest;
import dev.zerogate.proto.identity.v1.WatchRevocationsResponse;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.List;

/**
 * gRPC adapter for `zerogate.identity.v1.IdentityEventsService`: the revocation log as a
 * stream. A subscriber first listens to live entries (buffering them), then replays the log
 * from the database, then drains the buffer, skipping what the replay already sent: no
 * entry is lost between the replay and the live feed, and none is sent twice.
 */
@GrpcService
@RegisterInterceptor(AccessTokenInterceptor.class)
public class IdentityEventsGrpcService extends MutinyIdentityEventsServiceGrpc.IdentityEventsServiceImplBase {

    static final long KEEP_ALIVE_MILLIS = 30_000;
    private static final int REPLAY_BATCH = 500;

    private final RevocationLog revocations;
    private final CallerRoles roles;
    private final Vertx vertx;
    private final DeviceAdministration devices;

    IdentityEventsGrpcService(RevocationLog revocations, CallerRoles roles, Vertx vertx, DeviceAdministration devices) {
        this.revocations = revocations;
        this.roles = roles;
        this.vertx = vertx;
        this.devices = devices;
    }

    @Override
    public Uni<GetDeviceResponse> getDevice(GetDeviceRequest request) {
        VerifiedAccessToken caller = roles.caller();
        if (caller.kind() != PrincipalKind.SERVICE_ACCOUNT && !roles.isAdmin(caller)) {
            return Uni.createFrom().failure(Status.PERMISSION_DENIED
                    .withDescription("devices are read here by service accounts and admins").asRuntimeException());
        }
        return Uni.createFrom().deferred(() -> devices.get(ProtoMapping.uuid(request.getDeviceId(), "device_id")))
                .map(device -> GetDeviceResponse.newBuilder().setDevice(ProtoMapping.device(device)).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<WatchRevocationsResponse> watchRevocations(WatchRevocationsRequest request) {
        VerifiedAccessToken caller = roles.caller();
        if (caller.kind() != PrincipalKind.SERVICE_ACCOUNT && !roles.isAdmin(caller)) {
            return Multi.createFrom().failure(Status.PERMISSION_DENIED
                    .withDescription("the revocation stream is for service accounts and admins").asRuntimeException());
        }
        long after = request.getAfterSequence();
        if (after > revocations.lastSequence()) {
            return Multi.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("after_sequence " + after
                    + " is beyond the newest revocation (" + revocations.lastSequence() + ")").asRuntimeException());
        }
        return Multi.createFrom().emitter(emitter -> new Subscription(emitter, after).start());
    }

    /** One subscriber's position; all methods synchronized on it. */
    private final class Subscription {
        private final MultiEmitter<? super WatchRevocationsResponse> emitter;
        private final ArrayDeque<Revocation> buffered = new ArrayDeque<>();
        private long sent;
        private boolean replaying = true;
        private long lastSentAtMillis = System.currentTimeMillis();

        Subscription(MultiEmitter<? super WatchRevocationsResponse> emitter, long after) {
            this.emitter = emitter;
            this.sent = after;
        }

        void start() {
            Runnable stopListening = revocations.listen(this::live);
            long timer = vertx.setPeriodic(KEEP_ALIVE_MILLIS / 3, id -> keepAliveIfIdle());
            emitter.onTermination(() -> {
                stopListening.run();
                vertx.cancelTimer(timer);
            });
            replay();
        }

        private void replay() {
            revocations.after(currentPosition(), REPLAY_BATCH).subscribe().with(this::replayed, emitter::fail);
        }

        private void replayed(List<Revocation> batch) {
            synchronized (this) {
                batch.forEach(this::send);
                if (batch.size() == REPLAY_BATCH) {
                    replay();
                    return;
                }
                buffered.forEach(this::send);
                buffered.clear();
                replaying = false;
            }
        }

        private synchronized long currentPosition() {
            return sent;
        }

        private synchronized void live(Revocation revocation) {
            if (replaying) {
                buffered.add(revocation);
            } else {
                send(revocation);
            }
        }

        private synchronized void keepAliveIfIdle() {
            if (!replaying && System.currentTimeMillis() - lastSentAtMillis >= KEEP_ALIVE_MILLIS) {
                emit(WatchRevocationsResponse.newBuilder().setKeepAlive(RevocationKeepAlive.newBuilder()
                        .setHeadSequence(Math.max(sent, revocations.lastSequence()))).build());
            }
        }

        private void send(Revocation revocation) {
            if (revocation.sequence <= sent) {
                return;
            }
            sent = revocation.sequence;
            emit(WatchRevocationsResponse.newBuilder().setRevocation(toProto(revocation)).build());
        }

        private void emit(WatchRevocationsResponse response) {
            lastSentAtMillis = System.currentTimeMillis();
            emitter.emit(response);
        }
    }

    static RevocationEvent toProto(Revocation revocation) {
        RevocationEvent.Builder event = RevocationEvent.newBuilder()
                .setSequence(revocation.sequence)
                .setRevokedAt(Timestamp.newBuilder().setSeconds(revocation.revokedAt.toEpochSecond())
                        .setNanos(revocation.revokedAt.getNano()))
                .setReason(revocation.reason);
        if (revocation.detail != null) {
            event.setDetail(revocation.detail);
        }
        String id = revocation.subjectId.toString();
        switch (revocation.subjectKind) {
            case USER -> event.setUserId(id);
            case DEVICE -> event.setDeviceId(id);
            case SESSION -> event.setSessionId(id);
            case SERVICE_ACCOUNT -> event.setServiceAccountId(id);
            case CONNECTOR -> event.setConnectorId(id);
        }
        return event.build();
    }
}
