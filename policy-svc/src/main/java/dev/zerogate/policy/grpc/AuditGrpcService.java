package dev.zerogate.policy.grpc;

import dev.zerogate.policy.api.AuditMessages;
import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.service.AuditLog;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.policy.service.Requests;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.ExportAuditRequest;
import dev.zerogate.proto.policy.v1.ExportAuditResponse;
import dev.zerogate.proto.policy.v1.MutinyAuditServiceGrpc;
import dev.zerogate.proto.policy.v1.QueryAuditRequest;
import dev.zerogate.proto.policy.v1.QueryAuditResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC adapter for {@code zerogate.policy.v1.AuditService}: queries (newest first, paged) and
 * exports (oldest first, resumable by sequence) of the audit log, for admins and auditors.
 */
@GrpcService
public class AuditGrpcService extends MutinyAuditServiceGrpc.AuditServiceImplBase {

    /** Exports one caller may run at once, from the contract. */
    static final int MAX_EXPORTS_PER_CALLER = 2;
    private static final int MAX_ACTION_LENGTH = 100;

    private final Callers callers;
    private final AuditLog audit;
    private final Map<String, AtomicInteger> exportsRunning = new ConcurrentHashMap<>();

    AuditGrpcService(Callers callers, AuditLog audit) {
        this.callers = callers;
        this.audit = audit;
    }

    @Override
    public Uni<QueryAuditResponse> queryAudit(QueryAuditRequest request) {
        Callers.Call call = GrpcCalls.current();
        return callers.requireAuditor(call)
                .chain(caller -> audit.query(filter(request.hasStartAt() ? ProtoTime.instant(request.getStartAt()) : null,
                        request.hasEndAt() ? ProtoTime.instant(request.getEndAt()) : null, request.getSubjectId(),
                        request.getResourceId(), request.getAction(), request.getOutcome()), request.getPageSize(), request.getPageToken()))
                .map(page -> QueryAuditResponse.newBuilder().addAllEvents(page.items().stream().map(AuditMessages::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<ExportAuditResponse> exportAudit(ExportAuditRequest request) {
        Callers.Call call = GrpcCalls.current();
        return callers.requireAuditor(call)
                .onItem().transformToMulti(caller -> {
                    AuditLog.Filter filter = filter(request.hasStartAt() ? ProtoTime.instant(request.getStartAt()) : null,
                            request.hasEndAt() ? ProtoTime.instant(request.getEndAt()) : null, request.getSubjectId(),
                            request.getResourceId(), request.getAction(), request.getOutcome());
                    AtomicInteger running = exportsRunning.computeIfAbsent(caller.subject(), id -> new AtomicInteger());
                    if (running.incrementAndGet() > MAX_EXPORTS_PER_CALLER) {
                        running.decrementAndGet();
                        throw new PolicyError(PolicyError.Kind.RESOURCE_EXHAUSTED, "", "you already run " + MAX_EXPORTS_PER_CALLER
                                + " exports; wait for one to finish");
                    }
                    return audit.export(filter, request.getAfterSequence())
                            .onTermination().invoke(running::decrementAndGet);
                })
                .map(batch -> ExportAuditResponse.newBuilder().addAllEvents(batch.stream().map(AuditMessages::toProto).toList()).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private static AuditLog.Filter filter(Instant start, Instant end, String subjectId, String resourceId, String action,
                                          AuditOutcome outcome) {
        if (start != null && end != null && !end.isAfter(start)) {
            throw PolicyError.invalid("end_at", "must be after start_at");
        }
        if (action.length() > MAX_ACTION_LENGTH || !action.matches("[a-z0-9_.]*")) {
            throw PolicyError.invalid("action", "must be an action such as policy.resource.create, or a prefix ending in '.'");
        }
        var outcomeFilter = AuditMessages.outcomeFilter(outcome);
        return new AuditLog.Filter(start, end, Requests.optionalId(subjectId, "subject_id"),
                Requests.optionalId(resourceId, "resource_id"), action, outcomeFilter);
    }
}
