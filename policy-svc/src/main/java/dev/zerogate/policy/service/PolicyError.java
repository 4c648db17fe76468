package dev.zerogate.policy.service;

import dev.zerogate.policy.engine.validation.PolicyProblem;

/**
 * A request policy-svc refuses, with a message for the person who sent it. The gRPC adapter
 * maps {@link Kind} to a status code, the REST adapter to an HTTP status in a problem document.
 */
public final class PolicyError extends RuntimeException {

    /** How the refusal is reported (gRPC status / HTTP status). */
    public enum Kind {
        /** INVALID_ARGUMENT / 400. */
        INVALID_ARGUMENT,
        /** NOT_FOUND / 404. */
        NOT_FOUND,
        /** ALREADY_EXISTS / 409. */
        ALREADY_EXISTS,
        /** FAILED_PRECONDITION / 412 for etags, 409 otherwise. */
        FAILED_PRECONDITION,
        /** FAILED_PRECONDITION / 412: the etag is stale. */
        STALE_ETAG,
        /** RESOURCE_EXHAUSTED / 429 or 507. */
        RESOURCE_EXHAUSTED,
        /** UNAUTHENTICATED / 401. */
        UNAUTHENTICATED,
        /** PERMISSION_DENIED / 403. */
        PERMISSION_DENIED,
        /** UNAVAILABLE / 503. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String field;

    public PolicyError(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field == null ? "" : field;
    }

    public static PolicyError invalid(String field, String message) {
        return new PolicyError(Kind.INVALID_ARGUMENT, field, field + ": " + message);
    }

    public static PolicyError notFound(String what, String id) {
        return new PolicyError(Kind.NOT_FOUND, "id", "no " + what + " with id " + id);
    }

    public static PolicyError precondition(String message) {
        return new PolicyError(Kind.FAILED_PRECONDITION, "", message);
    }

    public static PolicyError staleEtag(String what, String id) {
        return new PolicyError(Kind.STALE_ETAG, "etag", what + " " + id
                + " was changed by someone else since you read it (etag mismatch): read it again and retry");
    }

    /** The refusal for a problem the policy validator found. */
    public static PolicyError of(PolicyProblem problem) {
        Kind kind = switch (problem.category()) {
            case INVALID -> Kind.INVALID_ARGUMENT;
            case CONFLICT -> Kind.ALREADY_EXISTS;
            case MISSING_REFERENCE -> Kind.FAILED_PRECONDITION;
        };
        return new PolicyError(kind, problem.field(), problem.field() + ": " + problem.message());
    }

    public Kind kind() {
        return kind;
    }

    /** The request field the refusal is about; empty when it is about no single field. */
    public String field() {
        return field;
    }
}
