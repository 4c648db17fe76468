package dev.zerogate.client.admin;

import dev.zerogate.client.cli.CliErrors;
import dev.zerogate.client.cli.Converters;
import dev.zerogate.client.cli.ProtoJson;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.cli.TimeSpec;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyCommand;
import dev.zerogate.client.policy.PolicyQuery;
import dev.zerogate.proto.policy.v1.AuditEvent;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.ExportAuditRequest;
import dev.zerogate.proto.policy.v1.ExportAuditResponse;
import dev.zerogate.proto.policy.v1.QueryAuditRequest;
import dev.zerogate.proto.policy.v1.QueryAuditResponse;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * {@code zerogate admin audit}: the newest audit events matching the filters (QueryAudit, page
 * after page up to {@code --limit}); {@code zerogate admin audit export}: every matching event,
 * oldest first, as JSON lines on stdout (ExportAudit).
 */
@Command(name = "audit", description = "Read the audit log (admins and auditors): the newest events first.",
        subcommands = AdminAudit.Export.class)
class AdminAudit extends PolicyQuery {

    /** Filters shared by the query and the export. */
    static class Filters {
        @Option(names = "--subject", paramLabel = "ID", description = "Only events by this user, service account, connector or relay.")
        String subject = "";

        @Option(names = "--resource", paramLabel = "ID", description = "Only events about this entity (a resource id also selects its decisions).")
        String resource = "";

        @Option(names = "--action", paramLabel = "ACTION",
                description = "Only this action, or every action starting with it when it ends in '.' (e.g. policy.access_rule.).")
        String action = "";

        @Option(names = "--outcome", paramLabel = "OUTCOME", description = "Only this outcome: success, failure, permit or deny.")
        String outcome;

        AuditOutcome outcome() {
            if (outcome == null) {
                return AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED;
            }
            switch (outcome.strip().toLowerCase(Locale.ROOT)) {
                case "success":
                    return AuditOutcome.AUDIT_OUTCOME_SUCCESS;
                case "failure":
                    return AuditOutcome.AUDIT_OUTCOME_FAILURE;
                case "permit":
                    return AuditOutcome.AUDIT_OUTCOME_PERMIT;
                case "deny":
                    return AuditOutcome.AUDIT_OUTCOME_DENY;
                default:
                    return null;
            }
        }
    }

    @Mixin
    Filters filters;

    @Option(names = "--since", paramLabel = "DURATION", converter = Converters.Length.class, defaultValue = "24h",
            description = "How far back, e.g. 30m, 24h, 7d (default: ${DEFAULT-VALUE}).")
    Duration since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "200", description = "At most this many events (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    protected void checkArguments() {
        if (limit < 1) {
            throw usage("--limit must be at least 1");
        }
        if (filters.outcome() == null) {
            throw usage("--outcome must be success, failure, permit or deny");
        }
    }

    @Override
    protected int run(PolicyCall call) {
        Instant now = Instant.now();
        QueryAuditRequest.Builder request = QueryAuditRequest.newBuilder()
                .setStartAt(TimeSpec.toProto(now.minus(since))).setEndAt(TimeSpec.toProto(now))
                .setSubjectId(filters.subject).setResourceId(filters.resource).setAction(filters.action).setOutcome(filters.outcome());
        List<AuditEvent> events = new ArrayList<>();
        String token = "";
        do {
            QueryAuditResponse page = call.policy().audit().queryAudit(request.setPageToken(token)
                    .setPageSize(Math.min(PAGE_SIZE, limit - events.size())).build());
            events.addAll(page.getEventsList().subList(0, Math.min(page.getEventsCount(), limit - events.size())));
            token = page.getNextPageToken();
        } while (!token.isEmpty() && events.size() < limit);
        if (json) {
            return printJson(call, events);
        }
        if (events.isEmpty()) {
            call.out().println("No audit events in the last " + TimeSpec.render(since) + " match.");
            return 0;
        }
        table(events).print(call.out());
        if (!token.isEmpty()) {
            call.out().println("(the newest " + limit + " shown; more match: raise --limit or narrow the filters)");
        }
        return 0;
    }

    static Table table(List<AuditEvent> events) {
        Table table = new Table("TIME", "ACTION", "OUTCOME", "ACTOR", "TARGET", "REASON");
        for (AuditEvent event : events) {
            String actor = event.getActor().getDisplayName().isEmpty() ? event.getActor().getId() : event.getActor().getDisplayName();
            String target = event.getTarget().getType().isEmpty() ? ""
                    : event.getTarget().getType() + " " + (event.getTarget().getDisplayName().isEmpty()
                            ? event.getTarget().getId() : event.getTarget().getDisplayName());
            table.row(TimeSpec.render(event.getOccurredAt()), event.getAction(),
                    event.getOutcome().name().replace("AUDIT_OUTCOME_", "").toLowerCase(Locale.ROOT), actor, target.strip(),
                    event.getReason());
        }
        return table;
    }

    /**
     * Every matching event, oldest first, one proto3 JSON object per line, written as batches
     * arrive. If the stream breaks midway, the lines written stand and the message says from
     * which sequence to resume.
     */
    @Command(name = "export", description = "Write every matching audit event, oldest first, as JSON lines to stdout.")
    static class Export extends PolicyCommand {
        @Mixin
        Filters filters;

        @Option(names = "--since", paramLabel = "DURATION", converter = Converters.Length.class,
                description = "How far back, e.g. 7d (default: from the oldest retained event).")
        Duration since;

        @Option(names = "--after-sequence", paramLabel = "N", defaultValue = "0",
                description = "Resume an interrupted export: only events after this sequence.")
        long afterSequence;

        @Override
        protected void checkArguments() {
            if (filters.outcome() == null) {
                throw usage("--outcome must be success, failure, permit or deny");
            }
            if (afterSequence < 0) {
                throw usage("--after-sequence must not be negative");
            }
        }

        @Override
        protected int run(PolicyCall call) {
            ExportAuditRequest.Builder request = ExportAuditRequest.newBuilder().setSubjectId(filters.subject)
                    .setResourceId(filters.resource).setAction(filters.action).setOutcome(filters.outcome())
                    .setAfterSequence(afterSequence);
            if (since != null) {
                request.setStartAt(TimeSpec.toProto(Instant.now().minus(since)));
            }
            PrintWriter out = call.out();
            long written = 0;
            long lastSequence = afterSequence;
            try {
                Iterator<ExportAuditResponse> batches = call.policy().audit().exportAudit(request.build());
                while (batches.hasNext()) {
                    for (AuditEvent event : batches.next().getEventsList()) {
                        out.println(ProtoJson.line(event));
                        written++;
                        lastSequence = event.getSequence();
                    }
                    out.flush();
                }
            } catch (StatusRuntimeException e) {
                if (written == 0) {
                    throw e;
                }
                spec.commandLine().getErr().println("zerogate: the export stopped after " + written + " events: "
                        + CliErrors.describe(e, call.policy().url()) + "; resume with --after-sequence " + lastSequence);
                return CliErrors.FAILED;
            }
            return 0;
        }
    }
}
