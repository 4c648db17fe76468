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
 *                  includes you"; never the grant; at most 500 characters (StreamRefused.message)
 * @param recheckAt for an allowed flow: when the answer changes by itself, without a policy change
 *                  (the rule expires, its current time window ends); the flow table checks again then
 */
public record FlowVerdict(boolean allowed, Reason reason, String message, Optional<Instant> recheckAt) {

    /** Longest message, from {@code zerogate.tunnel.v1.StreamRefused.message}. */
    public static final int MAX_MESSAGE_LENGTH = 500;

    /**
     * Why a flow is refused. The flow gate maps each to the tunnel contract's reason of a
     * refused stream, whose label the metrics and the connection log use.
     */
    public enum Reason {
        /** Not refused. */
        NONE,
        /** The grant is for another remote network than this connector's. */
        GRANT_MISMATCH,
        /** The grant's resource is not in this connector's copy of the policy. */
        RESOURCE_UNKNOWN,
        /** The connector's copy of the policy no longer allows the flow (rule, resource, membership, revocation). */
        POLICY_DENIED
    }

    public FlowVerdict {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(recheckAt, "recheckAt");
        if (allowed != (reason == Reason.NONE)) {
            throw new IllegalArgumentException("an allowed verdict has reason NONE, a refusal another");
        }
        message = message == null ? "" : message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH - 3) + "..." : message;
    }

    static FlowVerdict allow(Optional<Instant> recheckAt) {
        return new FlowVerdict(true, Reason.NONE, "", recheckAt);
    }

    static FlowVerdict refuse(Reason reason, String message) {
        return new FlowVerdict(false, reason, message, Optional.empty());
    }
}
