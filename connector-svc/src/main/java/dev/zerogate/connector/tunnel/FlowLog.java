package dev.zerogate.connector.tunnel;

import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;

/**
 * The connection log: one JSON line on stdout when a flow opens, when it closes and when it
 * is refused, written and flushed at once (a log shipper reads it live). Names who and what,
 * never a token or a byte of payload.
 */
public final class FlowLog {

    private final PrintStream out;
    private final Clock clock;

    public FlowLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** What a flow is, for its log lines. */
    public record Flow(String flowId, String sessionId, String user, String device, String resource,
                       String destination, int port, String path, Instant openedAt) {
    }

    public void opened(Flow flow, String resolvedAddress) {
        write(base("flow_opened", flow).put("resolved_address", resolvedAddress));
    }

    public void closed(Flow flow, long bytesFromClient, long bytesToClient, String reason) {
        write(base("flow_closed", flow)
                .put("bytes_from_client", bytesFromClient)
                .put("bytes_to_client", bytesToClient)
                .put("duration_ms", java.time.Duration.between(flow.openedAt(), clock.instant()).toMillis())
                .put("close_reason", reason));
    }

    public void refused(Flow flow, String reason, String message) {
        write(base("flow_refused", flow).put("reason", reason).put("message", message));
    }

    private JsonObject base(String event, Flow flow) {
        return new JsonObject()
                .put("time", clock.instant().toString())
                .put("event", event)
                .put("flow_id", flow.flowId())
                .put("session_id", flow.sessionId())
                .put("user", flow.user())
                .put("device", flow.device())
                .put("resource", flow.resource())
                .put("destination", flow.destination())
                .put("port", flow.port())
                .put("path", flow.path());
    }

    private void write(JsonObject line) {
        synchronized (out) {
            out.println(line.encode());
            out.flush();
        }
    }
}
