package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.HumanText;
import dev.zerogate.policy.engine.InvalidPolicyException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Conditions under which an access rule permits; every set condition must hold.
 *
 * @param requireMfa the sign-in must have used a second factor: the token's {@code amr} has "mfa", "otp", "hwk" or "swk"
 * @param maxAuthAge most time allowed since the sign-in, 1 minute to 30 days; an age equal to it still passes
 * @param device device posture requirements; an empty set of requirements is no requirement
 * @param timeWindows the rule applies only inside one of these; empty = at any time; at most 20
 * @param expiresAt from this instant on the rule grants nothing
 */
public record AccessConditions(
        boolean requireMfa,
        Optional<Duration> maxAuthAge,
        Optional<PostureRequirements> device,
        List<TimeWindow> timeWindows,
        Optional<Instant> expiresAt) {

    public static final Duration MIN_AUTH_AGE = Duration.ofMinutes(1);
    public static final Duration MAX_AUTH_AGE = Duration.ofDays(30);
    public static final int MAX_TIME_WINDOWS = 20;

    public static final AccessConditions NONE =
            new AccessConditions(false, Optional.empty(), Optional.empty(), List.of(), Optional.empty());

    public AccessConditions {
        maxAuthAge = maxAuthAge == null ? Optional.empty() : maxAuthAge;
        device = device == null ? Optional.empty() : device.filter(requirements -> !requirements.isEmpty());
        timeWindows = timeWindows == null ? List.of() : List.copyOf(timeWindows);
        expiresAt = expiresAt == null ? Optional.empty() : expiresAt;
        maxAuthAge.ifPresent(age -> {
            if (age.compareTo(MIN_AUTH_AGE) < 0 || age.compareTo(MAX_AUTH_AGE) > 0) {
                throw new InvalidPolicyException("conditions.max_auth_age", "is " + HumanText.duration(age)
                        + "; it must be 1 min to 30 d");
            }
        });
        if (timeWindows.size() > MAX_TIME_WINDOWS) {
            throw new InvalidPolicyException("conditions.time_windows", "has " + timeWindows.size() + " windows; at most "
                    + MAX_TIME_WINDOWS);
        }
    }

    /** Whether no condition is set beyond a valid token. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    public AccessConditions withRequireMfa(boolean value) {
        return new AccessConditions(value, maxAuthAge, device, timeWindows, expiresAt);
    }

    public AccessConditions withMaxAuthAge(Duration value) {
        return new AccessConditions(requireMfa, Optional.of(value), device, timeWindows, expiresAt);
    }

    public AccessConditions withDevice(PostureRequirements value) {
        return new AccessConditions(requireMfa, maxAuthAge, Optional.of(value), timeWindows, expiresAt);
    }

    public AccessConditions withTimeWindows(List<TimeWindow> value) {
        return new AccessConditions(requireMfa, maxAuthAge, device, value, expiresAt);
    }

    public AccessConditions withExpiresAt(Instant value) {
        return new AccessConditions(requireMfa, maxAuthAge, device, timeWindows, Optional.of(value));
    }
}
