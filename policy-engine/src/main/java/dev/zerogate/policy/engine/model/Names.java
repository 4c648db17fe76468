package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;

/** Checks shared by the model's constructors: ids and display names. */
final class Names {

    /** Longest display name, from the proto. */
    static final int MAX_NAME_LENGTH = 100;

    /** Ids are UUIDs in the service; the engine treats them as opaque, bounded, non-blank text. */
    private static final int MAX_ID_LENGTH = 64;

    private Names() {}

    /** Returns the id or throws when blank or too long. */
    static String requireId(String id, String field) {
        if (id == null || id.isBlank()) {
            throw new InvalidPolicyException(field, "is required");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new InvalidPolicyException(field, "is longer than " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }

    /** Returns the trimmed display name or throws when empty or longer than 100 code points. */
    static String requireName(String name, String field) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidPolicyException(field, "is required (1 to " + MAX_NAME_LENGTH + " characters)");
        }
        int length = trimmed.codePointCount(0, trimmed.length());
        if (length > MAX_NAME_LENGTH) {
            throw new InvalidPolicyException(field, "has " + length + " characters; at most " + MAX_NAME_LENGTH);
        }
        return trimmed;
    }
}
