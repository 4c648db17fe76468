package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.HumanText;
import dev.zerogate.policy.engine.address.Destination;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Resource;

import java.time.Instant;
import java.util.Optional;

/**
 * The answer to one authorization request.
 *
 * <p>Every field except {@link #concealed()} may be shown to the caller. {@code concealed} holds
 * what the engine found but must not reveal: the resource a destination matched when the caller
 * has no rule for it at all. It is for the audit log only; the gRPC adapter must never put it in
 * a response.
 *
 * @param verdict PERMIT or DENY
 * @param denyReason the machine-readable reason; UNSPECIFIED on PERMIT
 * @param resource the matched resource; empty for NO_MATCHING_RESOURCE
 * @param rule the rule that permitted, or whose conditions failed, or that expired; empty for
 *     NO_MATCHING_RESOURCE, PORT_NOT_ALLOWED and NO_MATCHING_RULE (as the proto says)
 * @param reason human explanation with what to do, at most 1000 characters
 * @param notAfter on PERMIT, the latest instant a grant may live: the rule's expiry or the end of
 *     the time window it was issued in, whichever is first; empty when neither limits it
 * @param invalidRequest the request itself was malformed (bad destination, port or protocol,
 *     unknown caller kind): the adapter answers INVALID_ARGUMENT with {@link #reason()}
 * @param concealed for the audit log only: the hidden match behind a NO_MATCHING_RESOURCE
 */
public record Decision(
        Verdict verdict,
        DenyReason denyReason,
        Optional<Resource> resource,
        Optional<AccessRule> rule,
        String reason,
        Optional<Instant> notAfter,
        boolean invalidRequest,
        Optional<Concealed> concealed) {

    /** Longest human reason, from the proto. */
    public static final int MAX_REASON_LENGTH = 1000;

    /**
     * A match hidden from the caller, kept for the audit log.
     *
     * @param resource the resource the destination matched
     * @param reason why it is hidden, for admins
     */
    public record Concealed(Resource resource, String reason) {}

    public Decision {
        if (reason.length() > MAX_REASON_LENGTH) {
            reason = reason.substring(0, MAX_REASON_LENGTH - 3) + "...";
        }
    }

    static Decision permit(Resource resource, AccessRule rule, Optional<Instant> notAfter) {
        return new Decision(Verdict.PERMIT, DenyReason.UNSPECIFIED, Optional.of(resource), Optional.of(rule),
                "allowed by " + rule.describe(), notAfter, false, Optional.empty());
    }

    static Decision deny(DenyReason reason, Resource resource, Optional<AccessRule> rule, String text) {
        return new Decision(Verdict.DENY, reason, Optional.of(resource), rule, text, Optional.empty(), false, Optional.empty());
    }

    static Decision invalidRequest(String text) {
        return new Decision(Verdict.DENY, DenyReason.NO_MATCHING_RESOURCE, Optional.empty(), Optional.empty(), text,
                Optional.empty(), true, Optional.empty());
    }

    /**
     * NO_MATCHING_RESOURCE. The caller-visible part depends only on the destination (its text and
     * whether it is a name or an address), so a real miss and a concealed match are
     * indistinguishable to the caller. For a name it adds that names are not resolved here, the
     * usual surprise when a name points at an address the caller can reach.
     */
    static Decision noMatchingResource(String destination, Destination parsed, Optional<Concealed> concealed) {
        String hint = parsed instanceof Destination.HostName
                ? " (names are matched as written, never resolved to addresses)"
                : "";
        String text = "no resource you have access to matches " + HumanText.quoted(destination) + hint
                + " — `zerogate resources` lists what you can reach";
        return new Decision(Verdict.DENY, DenyReason.NO_MATCHING_RESOURCE, Optional.empty(), Optional.empty(), text,
                Optional.empty(), false, concealed);
    }

    /** Whether the flow is allowed. */
    public boolean isPermit() {
        return verdict == Verdict.PERMIT;
    }
}
