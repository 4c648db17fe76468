package dev.zerogate.policy;

import java.time.Instant;

/**
 * One entry of the append-only audit log.
 *
 * @param id event id; a decision's id for Authorize
 * @param sequence position in the log, commit order; 0 until written
 * @param occurredAt when it happened, to the microsecond
 * @param actor who did it
 * @param action what, e.g. "policy.resource.create" or "policy.authorize"
 * @param target what it was done to; type, id and name empty when nothing
 * @param outcome how it ended
 * @param reason the human reason of a decision; empty otherwise
 * @param ruleId the rule that decided, if any
 * @param details JSON object with the specifics: before and after of a change, the request of a decision
 */
public record AuditRecord(String id, long sequence, Instant occurredAt, Actor actor, String action, Target target, Outcome outcome,
                          String reason, String ruleId, String details) {

    public static final Target NO_TARGET = new Target("", "", "");

    public AuditRecord {
        target = target == null ? NO_TARGET : target;
        reason = reason == null ? "" : reason;
        ruleId = ruleId == null ? "" : ruleId;
        details = details == null ? "{}" : details;
    }

    /** How an audited operation ended, as the audit log's {@code AuditOutcome}. */
    public enum Outcome {
        SUCCESS,
        FAILURE,
        PERMIT,
        DENY
    }

    /**
     * What an operation was done to.
     *
     * @param type "resource", "access_rule", ...
     * @param id its id
     * @param displayName its name when it happened, at most 254 characters
     */
    public record Target(String type, String id, String displayName) {

        public static final int MAX_DISPLAY_NAME = 254;

        public Target {
            type = type == null ? "" : type;
            id = id == null ? "" : id;
            displayName = displayName == null ? "" : displayName.length() <= MAX_DISPLAY_NAME ? displayName
                    : displayName.substring(0, MAX_DISPLAY_NAME);
        }
    }

    public AuditRecord withSequence(long value) {
        return new AuditRecord(id, value, occurredAt, actor, action, target, outcome, reason, ruleId, details);
    }
}
