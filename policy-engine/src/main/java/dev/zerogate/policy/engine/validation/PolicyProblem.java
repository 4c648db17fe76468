package dev.zerogate.policy.engine.validation;

import java.util.Optional;

/**
 * Something wrong with a policy change, for the person making it.
 *
 * @param category how the admin API reports it
 * @param entityId the resource, group or rule the problem is on
 * @param field the field, as the admin API names it ("address", "alias", "resource_ids", ...)
 * @param message what is wrong and what to do
 * @param relatedId the other entity involved (the one already holding an address, the missing
 *     group), so that a change to either one reports it
 */
public record PolicyProblem(Category category, String entityId, String field, String message, Optional<String> relatedId) {

    /** How the admin API reports a problem (the gRPC status in brackets). */
    public enum Category {
        /** A value that can never work (INVALID_ARGUMENT). */
        INVALID,
        /** A name, address or alias another entity already has (ALREADY_EXISTS). */
        CONFLICT,
        /** A reference to an entity that does not exist (FAILED_PRECONDITION). */
        MISSING_REFERENCE
    }

    static PolicyProblem invalid(String entityId, String field, String message) {
        return new PolicyProblem(Category.INVALID, entityId, field, message, Optional.empty());
    }

    static PolicyProblem conflict(String entityId, String field, String message, String relatedId) {
        return new PolicyProblem(Category.CONFLICT, entityId, field, message, Optional.of(relatedId));
    }

    static PolicyProblem missing(String entityId, String field, String message, String missingId) {
        return new PolicyProblem(Category.MISSING_REFERENCE, entityId, field, message, Optional.of(missingId));
    }

    /** Whether the problem is on, or involves, this entity. */
    public boolean involves(String id) {
        return entityId.equals(id) || relatedId.filter(id::equals).isPresent();
    }
}
