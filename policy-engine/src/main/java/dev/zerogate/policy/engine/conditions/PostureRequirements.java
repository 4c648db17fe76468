package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the caller's device must look like. Every set requirement must hold; an attribute the
 * device did not report fails its requirement (fail closed). Any set requirement also needs a
 * device: without one the rule denies with DEVICE_REQUIRED.
 *
 * @param allowedOs the device's OS must be one of these, one entry per OS, at most 10; empty = any
 * @param requireDiskEncryption the system disk must be encrypted
 * @param requireScreenLock a screen lock must be enabled
 * @param minClientVersion lowest zerogate client version; empty = any
 * @param requireTrustedDevice an admin must have marked the device trusted
 */
public record PostureRequirements(
        List<OsRequirement> allowedOs,
        boolean requireDiskEncryption,
        boolean requireScreenLock,
        Optional<SemanticVersion> minClientVersion,
        boolean requireTrustedDevice) {

    /** Most OS entries, from the proto. */
    public static final int MAX_OS_ENTRIES = 10;

    public static final PostureRequirements NONE =
            new PostureRequirements(List.of(), false, false, Optional.empty(), false);

    public PostureRequirements {
        allowedOs = allowedOs == null ? List.of() : List.copyOf(allowedOs);
        minClientVersion = minClientVersion == null ? Optional.empty() : minClientVersion;
        if (allowedOs.size() > MAX_OS_ENTRIES) {
            throw new InvalidPolicyException("conditions.device.allowed_os", "has " + allowedOs.size() + " entries; at most "
                    + MAX_OS_ENTRIES);
        }
        Set<OperatingSystem> seen = EnumSet.noneOf(OperatingSystem.class);
        for (OsRequirement requirement : allowedOs) {
            if (!seen.add(requirement.os())) {
                throw new InvalidPolicyException("conditions.device.allowed_os", "names " + requirement.os().displayName()
                        + " twice: keep one entry per operating system");
            }
        }
    }

    /** Whether nothing is required: such requirements do not ask for a device either. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** The requirement for {@code os}, if it is allowed. */
    public Optional<OsRequirement> requirementFor(OperatingSystem os) {
        return allowedOs.stream().filter(r -> r.os() == os).findFirst();
    }

    public PostureRequirements withAllowedOs(List<OsRequirement> value) {
        return new PostureRequirements(value, requireDiskEncryption, requireScreenLock, minClientVersion, requireTrustedDevice);
    }

    public PostureRequirements withDiskEncryption() {
        return new PostureRequirements(allowedOs, true, requireScreenLock, minClientVersion, requireTrustedDevice);
    }

    public PostureRequirements withScreenLock() {
        return new PostureRequirements(allowedOs, requireDiskEncryption, true, minClientVersion, requireTrustedDevice);
    }

    public PostureRequirements withMinClientVersion(SemanticVersion value) {
        return new PostureRequirements(allowedOs, requireDiskEncryption, requireScreenLock, Optional.of(value), requireTrustedDevice);
    }

    public PostureRequirements withTrustedDevice() {
        return new PostureRequirements(allowedOs, requireDiskEncryption, requireScreenLock, minClientVersion, true);
    }
}
