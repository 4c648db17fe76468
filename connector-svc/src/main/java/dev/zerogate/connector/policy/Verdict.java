package dev.zerogate.connector.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The connector's own answer for one flow.
 *
 * @param allowed   whether the flow may open (or stay open)
 * @param reason    why not; {@link Reason#NONE} when allowed
 * @param message   for the client and the connection log, e.g. "rule 'family → pihole' no longer
 *                  includes you"; never the grant; at most 500 characters (FlowReject.message)
 * @param recheckAt for an allowed flow: when the answer changes by itself, without a policy change
 *                  (the rule expires, its current time window ends); the flow table checks again then
 */
public record Verdict(boolean allowed, Reason reason, String message, Optional<Instant> recheckAt) {

    /** Longest message, from {@code zerogate.relay.v1.FlowReject.message}. */
    public static final int MAX_MESSAGE_LENGTH = 500;

    /**
     * Why a flow is refused: the names of {@code zerogate.relay.v1.FlowRejectReason} without its
     * prefix ({@link #flowRejectReason()}), also the metric label ({@link #label()}).
     */
    public enum Reason {
        /** Not refused. */
        NONE,
        /** The grant is for another remote network than this connector's. */
        GRANT_MISMATCH,
        /** The grant's resource is not in this connector's copy of the policy. */
        RESOURCE_UNKNOWN,
        /** The connector's copy of the policy no longer allows the flow (rule, resource, membership, revocation). */
        POLICY_DENIED;

        /** The {@code zerogate.relay.v1.FlowRejectReason} value name, e.g. FLOW_REJECT_REASON_POLICY_DENIED. */
        public String flowRejectReason() {
            return "FLOW_REJECT_REASON_" + (this == NONE ? "UNSPECIFIED" : name());
        }

        /** Lowercase, for metric labels and logs: "policy_denied". */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Verdict {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(recheckAt, "recheckAt");
        if (allowed != (reason == Reason.NONE)) {
            throw new IllegalArgumentException("an allowed verdict has reason NONE, a refusal another");
        }
        message = message == null ? "" : message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH - 3) + "..." : message;
    }

    static Verdict allow(Optional<Instant> recheckAt) {
        return new Verdict(true, Reason.NONE, "", recheckAt);
    }

    static Verdict refuse(Reason reason, String message) {
        return new Verdict(false, reason, message, Optional.empty());
    }
}
