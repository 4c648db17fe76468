package dev.zerogate.policy.engine.spec;

import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.DottedVersion;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.OsRequirement;
import dev.zerogate.policy.engine.conditions.PostureRequirements;
import dev.zerogate.policy.engine.conditions.SemanticVersion;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PortRange;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;

import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Specs into the model's values. The model's constructors and parsers are where values are
 * judged; this class only moves fields across and prefixes the field paths of their complaints
 * with where the field sits in the API message ({@code tcp.listed.ranges[0]},
 * {@code conditions.time_windows[1].start}).
 */
public final class Specs {

    private Specs() {}

    /** @throws InvalidPolicyException naming the first refused field */
    public static Resource resource(ResourceSpec spec) {
        ResourceAddress address = address(spec.address());
        Optional<DnsName> alias = alias(spec.alias());
        return new Resource(spec.id(), spec.networkId(), spec.name(), address, alias, ports(spec.tcp(), "tcp"), ports(spec.udp(), "udp"),
                spec.icmpAllowed());
    }

    /** @throws InvalidPolicyException when there is no address or it is malformed */
    public static ResourceAddress address(ResourceSpec.Address spec) {
        return ResourceAddress.parse(spec.kind().orElseThrow(() ->
                new InvalidPolicyException("address", "is required: set one of fqdn, wildcard, ip_address, cidr")), spec.text());
    }

    /** The alias; empty for none. */
    public static Optional<DnsName> alias(String alias) {
        return alias.isEmpty() ? Optional.empty() : Optional.of(DnsName.parse(alias, "alias"));
    }

    /** @param field where the policy sits in the API message: "tcp" or "udp" */
    public static PortPolicy ports(ResourceSpec.Ports spec, String field) {
        if (spec.mode().isEmpty()) {
            return PortPolicy.ALL;
        }
        return switch (spec.mode().get()) {
            case ALL -> PortPolicy.ALL;
            case NONE -> PortPolicy.NONE;
            case LISTED -> {
                if (spec.ranges().isEmpty()) {
                    throw new InvalidPolicyException(field + ".listed.ranges", "is empty: list 1 to " + PortPolicy.MAX_RANGES
                            + " ranges, or use none");
                }
                List<PortRange> ranges = new ArrayList<>();
                for (int i = 0; i < spec.ranges().size(); i++) {
                    ResourceSpec.Range range = spec.ranges().get(i);
                    ranges.add(prefixed(field + ".listed.ranges[" + i + "]", range::toPortRange));
                }
                yield prefixed(field, () -> PortPolicy.listed(ranges));
            }
        };
    }

    /** @throws InvalidPolicyException naming the first refused field */
    public static Group group(GroupSpec spec) {
        Set<String> users = new HashSet<>();
        Set<String> serviceAccounts = new HashSet<>();
        for (GroupSpec.Member member : spec.members()) {
            switch (member.kind()) {
                case USER -> users.add(member.id());
                case SERVICE_ACCOUNT -> serviceAccounts.add(member.id());
                case UNSPECIFIED -> throw new InvalidPolicyException("members", "has a member with neither user_id nor service_account_id");
            }
        }
        Optional<String> idpGroupName = spec.idpGroupName().isEmpty() ? Optional.empty() : Optional.of(spec.idpGroupName());
        return new Group(spec.id(), spec.name(), spec.source(), idpGroupName, users, serviceAccounts);
    }

    /** @throws InvalidPolicyException naming the first refused field */
    public static AccessRule rule(RuleSpec spec) {
        RuleSubject subject = spec.subject().map(s -> new RuleSubject(s.kind(), s.id())).orElse(null);
        AccessConditions conditions = spec.conditions().map(Specs::conditions).orElse(AccessConditions.NONE);
        return new AccessRule(spec.id(), spec.name(), subject, spec.resourceIds(), conditions, spec.disabled(), spec.createdAt());
    }

    /** @throws InvalidPolicyException naming the first refused field, under "conditions." */
    public static AccessConditions conditions(ConditionsSpec spec) {
        Optional<PostureRequirements> device = spec.device().map(Specs::posture);
        List<TimeWindow> windows = new ArrayList<>();
        for (int i = 0; i < spec.timeWindows().size(); i++) {
            ConditionsSpec.Window window = spec.timeWindows().get(i);
            windows.add(prefixed("conditions.time_windows[" + i + "]", () -> timeWindow(window)));
        }
        return new AccessConditions(spec.requireMfa(), spec.maxAuthAge(), device, windows, spec.expiresAt());
    }

    private static PostureRequirements posture(ConditionsSpec.Posture spec) {
        List<OsRequirement> allowed = new ArrayList<>();
        for (int i = 0; i < spec.allowedOs().size(); i++) {
            ConditionsSpec.Os requirement = spec.allowedOs().get(i);
            String field = "conditions.device.allowed_os[" + i + "]";
            if (requirement.os() == OperatingSystem.UNSPECIFIED) {
                throw new InvalidPolicyException(field + ".os", "must name an operating system");
            }
            Optional<DottedVersion> min = requirement.minVersion().isEmpty() ? Optional.empty()
                    : Optional.of(DottedVersion.parse(requirement.minVersion(), field + ".min_version"));
            allowed.add(new OsRequirement(requirement.os(), min));
        }
        Optional<SemanticVersion> minClient = spec.minClientVersion().isEmpty() ? Optional.empty()
                : Optional.of(SemanticVersion.parse(spec.minClientVersion(), "conditions.device.min_client_version"));
        return new PostureRequirements(allowed, spec.requireDiskEncryption(), spec.requireScreenLock(), minClient,
                spec.requireTrustedDevice());
    }

    private static TimeWindow timeWindow(ConditionsSpec.Window spec) {
        List<DayOfWeek> days = new ArrayList<>();
        for (int day : spec.days()) {
            if (day < 1 || day > 7) {
                throw new InvalidPolicyException("days", "names no day of the week");
            }
            days.add(DayOfWeek.of(day));
        }
        if (spec.start().isEmpty() || spec.end().isEmpty()) {
            throw new InvalidPolicyException(spec.start().isPresent() ? "end" : "start", "is required");
        }
        return TimeWindow.of(days, clock(spec.start().get()), clock(spec.end().get()), spec.timeZone());
    }

    private static String clock(ConditionsSpec.Clock time) {
        // Out-of-range numbers are kept visible (e.g. "25:61") so the engine's message shows them.
        return String.format(Locale.ROOT, "%02d:%02d", Math.min(time.hours(), 99), Math.min(time.minutes(), 99));
    }

    /** Runs {@code parse}, reporting its complaints under {@code prefix}. */
    private static <T> T prefixed(String prefix, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidPolicyException e) {
            if (e.field().startsWith(prefix)) {
                throw e;
            }
            throw new InvalidPolicyException(prefix + "." + e.field(), e.problem());
        }
    }
}
