package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.Optional;

/**
 * One allowed operating system, optionally with a minimum version.
 *
 * @param os the operating system, never UNSPECIFIED
 * @param minVersion lowest allowed version, compared numerically per component; empty = any
 */
public record OsRequirement(OperatingSystem os, Optional<DottedVersion> minVersion) {

    public OsRequirement {
        if (os == null || os == OperatingSystem.UNSPECIFIED) {
            throw new InvalidPolicyException("conditions.device.allowed_os.os", "is required: name an operating system");
        }
        minVersion = minVersion == null ? Optional.empty() : minVersion;
    }

    /** "Windows 10.0.22631 or later", or "Linux". */
    public String describe() {
        return os.displayName() + minVersion.map(v -> " " + v + " or later").orElse("");
    }
}
