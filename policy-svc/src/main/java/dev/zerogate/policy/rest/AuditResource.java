package dev.zerogate.policy.rest;

import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.api.AuditMessages;
import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.service.AuditLog;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.policy.service.Requests;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The audit log over REST: a page of events (newest first) and an export as JSON lines (oldest
 * first). Admins and auditors only. An export returns at most {@code limit} events; when more
 * remain, the {@code Zerogate-Resume-After-Sequence} header says where to continue
 * ({@code after_sequence}).
 */
@Path("/api/v1/audit-events")
@SecurityRequirement(name = "bearer")
@Tag(name = "audit-events")
public class AuditResource {

    static final int MAX_EXPORT = 100_000;

    private final Callers callers;
    private final AuditLog audit;

    AuditResource(Callers callers, AuditLog audit) {
        this.callers = callers;
        this.audit = audit;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One page of audit events, newest first", description = "Proto3 JSON of zerogate.policy.v1.QueryAuditResponse.")
    public Uni<Response> query(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
                               @QueryParam("start_at") String startAt, @QueryParam("end_at") String endAt,
                               @QueryParam("subject_id") @DefaultValue("") String subjectId,
                               @QueryParam("resource_id") @DefaultValue("") String resourceId,
                               @QueryParam("action") @DefaultValue("") String action,
                               @QueryParam("outcome") @DefaultValue("") String outcome,
                               @QueryParam("page_size") @DefaultValue("0") int pageSize,
                               @QueryParam("page_token") @DefaultValue("") String pageToken) {
        return callers.requireAuditor(RestCalls.call(authorization, http))
                .chain(caller -> audit.query(filter(startAt, endAt, subjectId, resourceId, action, outcome), pageSize, pageToken))
                .map(page -> Response.ok(ProtoJson.page("events", page.items().stream().map(AuditMessages::toProto).toList(),
                        page.nextPageToken())).build())
                .onFailure().recoverWithItem(Problems::of);
    }

    @GET
    @Path("/export")
    @Produces("application/x-ndjson")
    @Operation(summary = "Audit events as JSON lines, oldest first", description = "One proto3 JSON AuditEvent per line.")
    public Uni<Response> export(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
                                @QueryParam("start_at") String startAt, @QueryParam("end_at") String endAt,
                                @QueryParam("subject_id") @DefaultValue("") String subjectId,
                                @QueryParam("resource_id") @DefaultValue("") String resourceId,
                                @QueryParam("action") @DefaultValue("") String action,
                                @QueryParam("outcome") @DefaultValue("") String outcome,
                                @QueryParam("after_sequence") @DefaultValue("0") long afterSequence,
                                @QueryParam("limit") @DefaultValue("10000") int limit) {
        int bounded = Math.max(1, Math.min(limit, MAX_EXPORT));
        return callers.requireAuditor(RestCalls.call(authorization, http))
                .chain(caller -> audit.export(filter(startAt, endAt, subjectId, resourceId, action, outcome), afterSequence)
                        .onItem().<AuditRecord>disjoint()
                        .select().first(bounded + 1L)
                        .collect().asList())
                .map(events -> {
                    StringBuilder lines = new StringBuilder();
                    int count = Math.min(events.size(), bounded);
                    for (int i = 0; i < count; i++) {
                        lines.append(ProtoJson.print(AuditMessages.toProto(events.get(i)))).append('\n');
                    }
                    Response.ResponseBuilder response = Response.ok(lines.toString(), "application/x-ndjson");
                    if (events.size() > bounded) {
                        response.header("Zerogate-Resume-After-Sequence", events.get(bounded - 1).sequence());
                    }
                    return response.build();
                })
                .onFailure().recoverWithItem(Problems::of);
    }

    private static AuditLog.Filter filter(String startAt, String endAt, String subjectId, String resourceId, String action, String outcome) {
        Instant start = instant(startAt, "start_at");
        Instant end = instant(endAt, "end_at");
        if (start != null && end != null && !end.isAfter(start)) {
            throw PolicyError.invalid("end_at", "must be after start_at");
        }
        if (action.length() > 100 || !action.matches("[a-z0-9_.]*")) {
            throw PolicyError.invalid("action", "must be an action such as policy.resource.create, or a prefix ending in '.'");
        }
        var parsedOutcome = AuditMessages.outcomeFilter(outcome);
        return new AuditLog.Filter(start, end, Requests.optionalId(subjectId, "subject_id"), Requests.optionalId(resourceId, "resource_id"),
                action, parsedOutcome);
    }

    private static Instant instant(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw PolicyError.invalid(field, "must be an RFC 3339 time in UTC, e.g. 2026-11-25T08:00:00Z");
        }
    }
}
