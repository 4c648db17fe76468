package dev.zerogate.policy.engine.proto;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.zerogate.policy.engine.AccessConditions;
import dev.zerogate.policy.engine.AccessRule;
import dev.zerogate.policy.engine.AddressKind;
import dev.zerogate.policy.engine.DnsName;
import dev.zerogate.policy.engine.DottedVersion;
import dev.zerogate.policy.engine.Group;
import dev.zerogate.policy.engine.GroupSource;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.OperatingSystem;
import dev.zerogate.policy.engine.OsRequirement;
import dev.zerogate.policy.engine.PortPolicy;
import dev.zerogate.policy.engine.PortRange;
import dev.zerogate.policy.engine.PostureRequirements;
import dev.zerogate.policy.engine.Resource;
import dev.zerogate.policy.engine.ResourceAddress;
import dev.zerogate.policy.engine.RuleSubject;
import dev.zerogate.policy.engine.SemanticVersion;
import dev.zerogate.policy.engine.TimeWindow;
import dev.zerogate.proto.policy.v1.AccessRule.SubjectCase;
import dev.zerogate.proto.policy.v1.DayOfWeek;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.TimeOfDay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the proto model ({@code zerogate.policy.v1}) into the decision engine's values, for
 * policy-svc (its stored model) and connector-svc (its copy from the policy stream). The engine's
 * constructors and parsers are where values are judged; this class only moves fields across and
 * prefixes the field paths of the engine's complaints with where they sit in the API message.
 * The engine package itself never sees a proto type.
 */
public final class EngineMapping {

    private EngineMapping() {}

    public static Resource resource(dev.zerogate.proto.policy.v1.Resource proto) {
        ResourceAddress address = address(proto.getAddress());
        Optional<DnsName> alias = proto.getAlias().isEmpty() ? Optional.empty() : Optional.of(DnsName.parse(proto.getAlias(), "alias"));
        return new Resource(proto.getId(), proto.getRemoteNetworkId(), proto.getName(), address, alias,
                ports(proto.getTcp(), "tcp"), ports(proto.getUdp(), "udp"), proto.getIcmpAllowed());
    }

    public static ResourceAddress address(dev.zerogate.proto.policy.v1.ResourceAddress proto) {
        return switch (proto.getKindCase()) {
            case FQDN -> ResourceAddress.parse(AddressKind.FQDN, proto.getFqdn());
            case WILDCARD -> ResourceAddress.parse(AddressKind.WILDCARD, proto.getWildcard());
            case IP_ADDRESS -> ResourceAddress.parse(AddressKind.IP_ADDRESS, proto.getIpAddress());
            case CIDR -> ResourceAddress.parse(AddressKind.CIDR, proto.getCidr());
            case KIND_NOT_SET -> throw new InvalidPolicyException("address", "is required: set one of fqdn, wildcard, ip_address, cidr");
        };
    }

    /** The address in its stored form, with the same kind: what the engine normalised it to. */
    public static dev.zerogate.proto.policy.v1.ResourceAddress normalised(ResourceAddress address) {
        var builder = dev.zerogate.proto.policy.v1.ResourceAddress.newBuilder();
        return switch (address.kind()) {
            case FQDN -> builder.setFqdn(address.text()).build();
            case WILDCARD -> builder.setWildcard(address.text()).build();
            case IP_ADDRESS -> builder.setIpAddress(address.text()).build();
            case CIDR -> builder.setCidr(address.text()).build();
        };
    }

    public static PortPolicy ports(dev.zerogate.proto.policy.v1.PortPolicy proto, String field) {
        return switch (proto.getModeCase()) {
            case ALL, MODE_NOT_SET -> PortPolicy.ALL;
            case NONE -> PortPolicy.NONE;
            case LISTED -> {
                if (proto.getListed().getRangesCount() == 0) {
                    throw new InvalidPolicyException(field + ".listed.ranges", "is empty: list 1 to " + PortPolicy.MAX_RANGES
                            + " ranges, or use none");
                }
                List<PortRange> ranges = new ArrayList<>();
                for (int i = 0; i < proto.getListed().getRangesCount(); i++) {
                    var range = proto.getListed().getRanges(i);
                    ranges.add(prefixed(field + ".listed.ranges[" + i + "]",
                            () -> new PortRange(checkedPort(range.getFirstPort()), checkedPort(range.getLastPort()))));
                }
                yield prefixed(field, () -> PortPolicy.listed(ranges));
            }
        };
    }

    /** Ports arrive as uint32: anything past an int is out of range, not a negative number. */
    private static int checkedPort(int unsigned) {
        return unsigned < 0 ? Integer.MAX_VALUE : unsigned;
    }

    /** The port policy as the API returns it (listed ranges merged by the engine). */
    public static dev.zerogate.proto.policy.v1.PortPolicy toProto(PortPolicy ports) {
        var builder = dev.zerogate.proto.policy.v1.PortPolicy.newBuilder();
        return switch (ports.mode()) {
            case ALL -> builder.setAll(dev.zerogate.proto.policy.v1.AllPorts.getDefaultInstance()).build();
            case NONE -> builder.setNone(dev.zerogate.proto.policy.v1.NoPorts.getDefaultInstance()).build();
            case LISTED -> {
                var listed = dev.zerogate.proto.policy.v1.PortRanges.newBuilder();
                for (PortRange range : ports.ranges()) {
                    listed.addRanges(dev.zerogate.proto.policy.v1.PortRange.newBuilder()
                            .setFirstPort(range.first()).setLastPort(range.last()));
                }
                yield builder.setListed(listed).build();
            }
        };
    }

    public static Group group(dev.zerogate.proto.policy.v1.Group proto) {
        Set<String> users = new HashSet<>();
        Set<String> serviceAccounts = new HashSet<>();
        for (GroupMember member : proto.getMembersList()) {
            switch (member.getMemberCase()) {
                case USER_ID -> users.add(member.getUserId());
                case SERVICE_ACCOUNT_ID -> serviceAccounts.add(member.getServiceAccountId());
                case MEMBER_NOT_SET -> throw new InvalidPolicyException("members", "has a member with neither user_id nor service_account_id");
            }
        }
        Optional<String> idpGroupName = proto.getIdpGroupName().isEmpty() ? Optional.empty() : Optional.of(proto.getIdpGroupName());
        return new Group(proto.getId(), proto.getName(), groupSource(proto.getSource()), idpGroupName, users, serviceAccounts);
    }

    /** The engine's group source; an unset or unknown value is UNSPECIFIED. */
    public static GroupSource groupSource(dev.zerogate.proto.policy.v1.GroupSource source) {
        return switch (source) {
            case GROUP_SOURCE_LOCAL -> GroupSource.LOCAL;
            case GROUP_SOURCE_IDP_SYNC -> GroupSource.IDP_SYNC;
            default -> GroupSource.UNSPECIFIED;
        };
    }

    public static AccessRule rule(dev.zerogate.proto.policy.v1.AccessRule proto) {
        RuleSubject subject = proto.getSubjectCase() == SubjectCase.GROUP_ID ? RuleSubject.group(proto.getGroupId())
                : proto.getSubjectCase() == SubjectCase.SERVICE_ACCOUNT_ID ? RuleSubject.serviceAccount(proto.getServiceAccountId())
                : null;
        AccessConditions conditions = proto.hasConditions() ? conditions(proto.getConditions()) : AccessConditions.NONE;
        return new AccessRule(proto.getId(), proto.getName(), subject, proto.getResourceIdsList(), conditions,
                proto.getDisabled(), instant(proto.getCreatedAt()));
    }

    public static AccessConditions conditions(dev.zerogate.proto.policy.v1.AccessConditions proto) {
        Optional<java.time.Duration> maxAuthAge = proto.hasMaxAuthAge() ? Optional.of(duration(proto.getMaxAuthAge())) : Optional.empty();
        Optional<PostureRequirements> device = proto.hasDevice() ? Optional.of(posture(proto.getDevice())) : Optional.empty();
        List<TimeWindow> windows = new ArrayList<>();
        for (int i = 0; i < proto.getTimeWindowsCount(); i++) {
            var window = proto.getTimeWindows(i);
            windows.add(prefixed("conditions.time_windows[" + i + "]", () -> timeWindow(window)));
        }
        Optional<Instant> expiresAt = proto.hasExpiresAt() ? Optional.of(instant(proto.getExpiresAt())) : Optional.empty();
        return new AccessConditions(proto.getRequireMfa(), maxAuthAge, device, windows, expiresAt);
    }

    private static PostureRequirements posture(dev.zerogate.proto.policy.v1.DevicePostureRequirements proto) {
        List<OsRequirement> allowed = new ArrayList<>();
        for (int i = 0; i < proto.getAllowedOsCount(); i++) {
            var requirement = proto.getAllowedOs(i);
            String field = "conditions.device.allowed_os[" + i + "]";
            OperatingSystem os = operatingSystem(requirement.getOs(), field + ".os");
            Optional<DottedVersion> min = requirement.getMinVersion().isEmpty() ? Optional.empty()
                    : Optional.of(DottedVersion.parse(requirement.getMinVersion(), field + ".min_version"));
            allowed.add(new OsRequirement(os, min));
        }
        Optional<SemanticVersion> minClient = proto.getMinClientVersion().isEmpty() ? Optional.empty()
                : Optional.of(SemanticVersion.parse(proto.getMinClientVersion(), "conditions.device.min_client_version"));
        return new PostureRequirements(allowed, proto.getRequireDiskEncryption(), proto.getRequireScreenLock(), minClient,
                proto.getRequireTrustedDevice());
    }

    public static OperatingSystem operatingSystem(dev.zerogate.proto.policy.v1.OperatingSystem os, String field) {
        OperatingSystem named = os == dev.zerogate.proto.policy.v1.OperatingSystem.UNRECOGNIZED ? OperatingSystem.UNSPECIFIED
                : operatingSystem(os.getNumber());
        if (named == OperatingSystem.UNSPECIFIED) {
            throw new InvalidPolicyException(field, "must name an operating system");
        }
        return named;
    }

    /**
     * The operating system with this wire number: policy's and identity's OperatingSystem enums
     * share names and numbers with the engine's (UNSPECIFIED 0, LINUX 1, ... FREEBSD 6); an
     * unknown number is UNSPECIFIED.
     */
    public static OperatingSystem operatingSystem(int number) {
        OperatingSystem[] all = OperatingSystem.values();
        return number > 0 && number < all.length ? all[number] : OperatingSystem.UNSPECIFIED;
    }

    private static TimeWindow timeWindow(dev.zerogate.proto.policy.v1.TimeWindow proto) {
        List<java.time.DayOfWeek> days = new ArrayList<>();
        for (DayOfWeek day : proto.getDaysList()) {
            if (day == DayOfWeek.DAY_OF_WEEK_UNSPECIFIED || day == DayOfWeek.UNRECOGNIZED) {
                throw new InvalidPolicyException("days", "names no day of the week");
            }
            days.add(java.time.DayOfWeek.of(day.getNumber()));
        }
        if (!proto.hasStart() || !proto.hasEnd()) {
            throw new InvalidPolicyException(proto.hasStart() ? "end" : "start", "is required");
        }
        return TimeWindow.of(days, clock(proto.getStart()), clock(proto.getEnd()), proto.getTimeZone());
    }

    private static String clock(TimeOfDay time) {
        // Out-of-range numbers are kept visible (e.g. "25:61") so the engine's message shows them.
        return String.format("%02d:%02d", Math.min(Integer.toUnsignedLong(time.getHours()), 99),
                Math.min(Integer.toUnsignedLong(time.getMinutes()), 99));
    }

    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static java.time.Duration duration(Duration duration) {
        return java.time.Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }

    public static Duration duration(java.time.Duration duration) {
        return Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }

    /** Runs {@code parse}, reporting its complaints under {@code prefix}. */
    private static <T> T prefixed(String prefix, java.util.function.Supplier<T> parse) {
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
