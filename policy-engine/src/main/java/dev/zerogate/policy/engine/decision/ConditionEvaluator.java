package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.HumanText;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.DottedVersion;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.OsRequirement;
import dev.zerogate.policy.engine.conditions.PostureRequirements;
import dev.zerogate.policy.engine.conditions.SemanticVersion;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.engine.model.SubjectKind;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a rule's conditions (all but expiry, which decides whether the rule is active at all)
 * against the caller, the device and the time. Pure: everything comes in as arguments.
 *
 * <p>Unmet conditions are returned in the order of {@link #ACTIONABILITY}: the ones the caller
 * can fix fastest first.
 */
final class ConditionEvaluator {

    /**
     * {@code amr} values that count as a second factor, as the proto lists them (RFC 8176): "mfa"
     * (the IdP says several factors were used), "otp" (one-time code), "hwk" (hardware key, e.g. a
     * security key), "swk" (software-held key, e.g. a passkey). Compared case-sensitively, as RFC
     * 8176 values are lowercase tokens. Anything else ("pwd", "face", "fpt" alone) is not MFA.
     */
    static final Set<String> MFA_METHODS = Set.of("mfa", "otp", "hwk", "swk");

    /**
     * Deny reasons of unmet conditions, most actionable first: a new sign-in fixes the first two
     * in seconds (MFA after age, because a sign-in with MFA fixes both, a plain one only the age);
     * switching to the enrolled device is next; posture may take an update or a setting; a time
     * window cannot be fixed, only waited for.
     */
    static final List<DenyReason> ACTIONABILITY = List.of(
            DenyReason.AUTH_TOO_OLD,
            DenyReason.MFA_REQUIRED,
            DenyReason.DEVICE_REQUIRED,
            DenyReason.DEVICE_POSTURE,
            DenyReason.OUTSIDE_TIME_WINDOW);

    /**
     * How far a token's {@code auth_time} may lie ahead of the decision time and still count as
     * "just now": identity-svc and policy-svc run on different clocks. Beyond it the sign-in time
     * is not believable and the age limit fails.
     */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final String MFA_REMEDY = "run `zerogate login` and use your second factor";

    private ConditionEvaluator() {}

    /** The conditions that do not hold, most actionable first; empty when the rule permits. */
    static List<UnmetCondition> unmet(AccessConditions conditions, Subject subject, Optional<Device> device, Instant now) {
        List<UnmetCondition> unmet = new ArrayList<>();
        if (conditions.requireMfa() && subject.amr().stream().noneMatch(MFA_METHODS::contains)) {
            unmet.add(mfaMissing(subject));
        }
        conditions.maxAuthAge().ifPresent(max -> authAge(conditions.requireMfa(), max, subject, now).ifPresent(unmet::add));
        conditions.device().ifPresent(requirements -> unmet.addAll(posture(requirements, subject, device)));
        if (!conditions.timeWindows().isEmpty() && conditions.timeWindows().stream().noneMatch(w -> w.contains(now))) {
            unmet.add(outsideWindows(conditions.timeWindows(), now));
        }
        unmet.sort(Comparator.comparingInt(condition -> ACTIONABILITY.indexOf(condition.reason())));
        return unmet;
    }

    /** Short labels of every condition a rule sets, for listings: "requires MFA", "until 2025-09-30T00:00:00Z". */
    static List<String> describe(AccessConditions conditions) {
        List<String> labels = new ArrayList<>();
        if (conditions.requireMfa()) {
            labels.add("requires MFA");
        }
        conditions.maxAuthAge().ifPresent(max -> labels.add("requires a sign-in within " + HumanText.duration(max)));
        conditions.device().ifPresent(requirements -> labels.addAll(describePosture(requirements)));
        if (!conditions.timeWindows().isEmpty()) {
            labels.add(windowsLabel(conditions.timeWindows()));
        }
        conditions.expiresAt().ifPresent(expiry -> labels.add("until " + expiry));
        return labels;
    }

    private static UnmetCondition mfaMissing(Subject subject) {
        if (subject.kind() == SubjectKind.SERVICE_ACCOUNT) {
            return new UnmetCondition(DenyReason.MFA_REQUIRED, "requires MFA, which a service account cannot provide",
                    "ask an admin for a rule without MFA for this service account", "requires MFA");
        }
        String used = subject.amr().isEmpty() ? "no method recorded" : String.join(", ", subject.amr().stream().sorted().toList());
        return new UnmetCondition(DenyReason.MFA_REQUIRED, "requires MFA, and your sign-in had no second factor (" + used + ")",
                MFA_REMEDY, "requires MFA");
    }

    private static Optional<UnmetCondition> authAge(boolean mfa, Duration max, Subject subject, Instant now) {
        String required = (mfa ? "requires MFA within " : "requires a sign-in within ") + HumanText.duration(max);
        String remedy = subject.kind() == SubjectKind.SERVICE_ACCOUNT ? "get a new token for the service account"
                : mfa ? MFA_REMEDY : "run `zerogate login`";
        String label = "requires a sign-in within " + HumanText.duration(max);
        if (subject.authTime().isEmpty()) {
            return Optional.of(new UnmetCondition(DenyReason.AUTH_TOO_OLD, required + ": your token carries no sign-in time", remedy, label));
        }
        Duration age = Duration.between(subject.authTime().get(), now);
        if (age.isNegative() && age.abs().compareTo(MAX_CLOCK_SKEW) > 0) {
            // A sign-in time well in the future would satisfy any age limit until then: fail closed.
            return Optional.of(new UnmetCondition(DenyReason.AUTH_TOO_OLD, required + ": your token's sign-in time "
                    + subject.authTime().get() + " is in the future", remedy, label));
        }
        // An age exactly equal to the limit still passes: the limit is a maximum.
        if (age.compareTo(max) <= 0) {
            return Optional.empty();
        }
        String ago = HumanText.duration(age);
        if (ago.equals(HumanText.duration(max))) {
            // Rounded down, "8 h ago" would read as within an 8 h limit.
            ago = "more than " + ago;
        }
        return Optional.of(new UnmetCondition(DenyReason.AUTH_TOO_OLD, required + ": you authenticated " + ago + " ago", remedy, label));
    }

    private static List<UnmetCondition> posture(PostureRequirements requirements, Subject subject, Optional<Device> device) {
        Optional<Device> bound = device.filter(d -> subject.deviceId().isPresent() && subject.deviceId().get().equals(d.id()));
        if (bound.isEmpty()) {
            String found = device.isEmpty() ? "this request has none" : "this request's device is not the one your sign-in is bound to";
            return List.of(new UnmetCondition(DenyReason.DEVICE_REQUIRED, "requires an enrolled device, and " + found,
                    "connect from your enrolled device", "requires an enrolled device"));
        }
        Device d = bound.get();
        List<UnmetCondition> unmet = new ArrayList<>();
        if (!requirements.allowedOs().isEmpty()) {
            osProblem(requirements, d).ifPresent(found -> unmet.add(posture("requires " + osList(requirements) + ": " + found,
                    "update or change the operating system", "requires " + osList(requirements))));
        }
        if (requirements.requireDiskEncryption() && d.diskEncryption() != PostureFlag.ON) {
            unmet.add(posture("requires disk encryption: " + flagFound(d.diskEncryption()),
                    "turn on disk encryption (BitLocker, FileVault or LUKS) and let the client report again", "requires disk encryption"));
        }
        if (requirements.requireScreenLock() && d.screenLock() != PostureFlag.ON) {
            unmet.add(posture("requires a screen lock: " + flagFound(d.screenLock()), "turn on a screen lock", "requires a screen lock"));
        }
        requirements.minClientVersion().ifPresent(min -> {
            Optional<SemanticVersion> reported = d.clientVersion().flatMap(SemanticVersion::readReported);
            if (reported.isEmpty() || !reported.get().isAtLeast(min)) {
                String found = reported.map(v -> "this device runs " + v).orElse("this device did not report a client version");
                unmet.add(posture("requires zerogate client " + min + " or later: " + found, "update the zerogate client",
                        "requires client " + min + " or later"));
            }
        });
        if (requirements.requireTrustedDevice() && !d.trusted()) {
            unmet.add(posture("requires a device an admin marked trusted: this one is not", "ask an admin to trust this device",
                    "requires a trusted device"));
        }
        return unmet;
    }

    private static UnmetCondition posture(String explanation, String remedy, String label) {
        return new UnmetCondition(DenyReason.DEVICE_POSTURE, explanation, remedy, label);
    }

    /** What is wrong with the device's OS, or empty when an allowed OS at a high enough version. */
    private static Optional<String> osProblem(PostureRequirements requirements, Device device) {
        if (device.os() == OperatingSystem.UNSPECIFIED) {
            return Optional.of("this device did not report its operating system");
        }
        Optional<OsRequirement> requirement = requirements.requirementFor(device.os());
        if (requirement.isEmpty()) {
            return Optional.of("this device runs " + device.os().displayName());
        }
        if (requirement.get().minVersion().isEmpty()) {
            return Optional.empty();
        }
        DottedVersion min = requirement.get().minVersion().get();
        Optional<DottedVersion> reported = device.osVersion().flatMap(DottedVersion::readReported);
        if (reported.isEmpty()) {
            return Optional.of("this device did not report a readable " + device.os().displayName() + " version");
        }
        return reported.get().isAtLeast(min)
                ? Optional.empty()
                : Optional.of("this device runs " + device.os().displayName() + " " + device.osVersion().orElseThrow());
    }

    /** "macOS 14.4 or later", or "one of Linux, macOS 14.4 or later, Windows 10.0.22631 or later". */
    private static String osList(PostureRequirements requirements) {
        List<OsRequirement> allowed = requirements.allowedOs();
        String list = allowed.stream().map(OsRequirement::describe).collect(Collectors.joining(", "));
        return allowed.size() == 1 ? list : "one of " + list;
    }

    private static String flagFound(PostureFlag flag) {
        return flag == PostureFlag.OFF ? "it is off on this device" : "this device did not report it";
    }

    private static List<String> describePosture(PostureRequirements requirements) {
        List<String> labels = new ArrayList<>();
        labels.add("requires an enrolled device");
        if (!requirements.allowedOs().isEmpty()) {
            labels.add("requires " + osList(requirements));
        }
        if (requirements.requireDiskEncryption()) {
            labels.add("requires disk encryption");
        }
        if (requirements.requireScreenLock()) {
            labels.add("requires a screen lock");
        }
        requirements.minClientVersion().ifPresent(min -> labels.add("requires client " + min + " or later"));
        if (requirements.requireTrustedDevice()) {
            labels.add("requires a trusted device");
        }
        return labels;
    }

    private static UnmetCondition outsideWindows(List<TimeWindow> windows, Instant now) {
        Set<String> zones = windows.stream().map(w -> w.zone().getId()).collect(Collectors.toSet());
        String clock = zones.size() == 1
                ? "it is " + HumanText.localNow(now, windows.get(0).zone()) + " there"
                : "it is " + windows.stream().map(TimeWindow::zone).distinct()
                        .map(z -> HumanText.localNow(now, z) + " in " + z.getId()).collect(Collectors.joining(", "));
        return new UnmetCondition(DenyReason.OUTSIDE_TIME_WINDOW,
                "applies only " + windows.stream().map(TimeWindow::describe).collect(Collectors.joining(" or ")) + ": " + clock,
                "try again inside the window", windowsLabel(windows));
    }

    private static String windowsLabel(List<TimeWindow> windows) {
        return "only " + windows.stream().map(TimeWindow::describe).collect(Collectors.joining(" or "));
    }
}
