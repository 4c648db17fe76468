package dev.zerogate.policy.engine.spec;

import dev.zerogate.policy.engine.conditions.OperatingSystem;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A rule's conditions as written.
 *
 * @param requireMfa whether the sign-in must have used a second factor
 * @param maxAuthAge most time since the sign-in; empty for no limit
 * @param device device posture requirements; empty for none (an empty set of them is kept as written)
 * @param timeWindows when the rule applies; empty for always
 * @param expiresAt when the rule stops granting; empty for never
 */
public record ConditionsSpec(boolean requireMfa, Optional<Duration> maxAuthAge, Optional<Posture> device,
                             List<Window> timeWindows, Optional<Instant> expiresAt) {

    public static final ConditionsSpec NONE = new ConditionsSpec(false, Optional.empty(), Optional.empty(), List.of(), Optional.empty());

    public ConditionsSpec {
        maxAuthAge = maxAuthAge == null ? Optional.empty() : maxAuthAge;
        device = device == null ? Optional.empty() : device;
        timeWindows = timeWindows == null ? List.of() : List.copyOf(timeWindows);
        expiresAt = expiresAt == null ? Optional.empty() : expiresAt;
    }

    /**
     * Device posture requirements as written.
     *
     * @param allowedOs allowed operating systems; empty for any
     * @param requireDiskEncryption whether the system disk must be encrypted
     * @param requireScreenLock whether a screen lock must be on
     * @param minClientVersion lowest zerogate client version; empty for any
     * @param requireTrustedDevice whether an admin must have marked the device trusted
     */
    public record Posture(List<Os> allowedOs, boolean requireDiskEncryption, boolean requireScreenLock, String minClientVersion,
                          boolean requireTrustedDevice) {

        public Posture {
            allowedOs = allowedOs == null ? List.of() : List.copyOf(allowedOs);
            minClientVersion = minClientVersion == null ? "" : minClientVersion;
        }
    }

    /**
     * One allowed operating system.
     *
     * @param os the operating system; UNSPECIFIED when not given or unknown
     * @param minVersion lowest version as written; empty for any
     */
    public record Os(OperatingSystem os, String minVersion) {

        public Os {
            os = os == null ? OperatingSystem.UNSPECIFIED : os;
            minVersion = minVersion == null ? "" : minVersion;
        }
    }

    /**
     * A weekly time window as written.
     *
     * @param days ISO day numbers (1 Monday to 7 Sunday) in the order written; any other number
     *     names no day
     * @param start local start; empty when not given
     * @param end local end; empty when not given
     * @param timeZone IANA zone id
     */
    public record Window(List<Integer> days, Optional<Clock> start, Optional<Clock> end, String timeZone) {

        public Window {
            days = days == null ? List.of() : List.copyOf(days);
            start = start == null ? Optional.empty() : start;
            end = end == null ? Optional.empty() : end;
            timeZone = timeZone == null ? "" : timeZone;
        }
    }

    /**
     * A wall-clock time as written; the API's numbers are unsigned 32-bit.
     *
     * @param hours hours
     * @param minutes minutes
     */
    public record Clock(long hours, long minutes) {}
}
