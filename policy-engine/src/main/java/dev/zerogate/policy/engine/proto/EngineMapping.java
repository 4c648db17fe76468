package dev.zerogate.policy.engine.proto;

import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.AddressKind;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.decision.DenyReason;
import dev.zerogate.policy.engine.decision.Verdict;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.SubjectKind;
import dev.zerogate.policy.engine.spec.ConditionsSpec;
import dev.zerogate.policy.engine.spec.GroupSpec;
import dev.zerogate.policy.engine.spec.ResourceSpec;
import dev.zerogate.policy.engine.spec.RuleSpec;
import dev.zerogate.policy.engine.spec.Specs;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.DayOfWeek;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.TimeOfDay;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The engine's adapter to the proto model ({@code zerogate.policy.v1}), for policy-svc (its admin
 * API and stored model) and connector-svc (its copy from the policy stream). Messages become
 * specs field by field and back ({@link #spec}, {@link #toProto}); {@link Specs} judges a spec, so
 * {@link #resource}, {@link #group} and {@link #rule} refuse what the admin API refuses, naming the
 * field by its path in the API message. Enums are mapped by explicit tables, each a switch the
 * compiler checks is complete on the engine's side and a test checks is complete on the proto's.
 * The engine's other packages never see a proto type.
 */
public final class EngineMapping {

    private EngineMapping() {}

    // ---------------------------------------------------------------- proto → engine

    /** @throws InvalidPolicyException naming the first refused field */
    public static Resource resource(dev.zerogate.proto.policy.v1.Resource proto) {
        return Specs.resource(spec(proto));
    }

    /** @throws InvalidPolicyException when the address is missing or malformed */
    public static ResourceAddress address(dev.zerogate.proto.policy.v1.ResourceAddress proto) {
        return Specs.address(spec(proto));
    }

    /** @throws InvalidPolicyException naming the first refused field */
    public static Group group(dev.zerogate.proto.policy.v1.Group proto) {
        return Specs.group(spec(proto));
    }

    /** @throws InvalidPolicyException naming the first refused field */
    public static AccessRule rule(dev.zerogate.proto.policy.v1.AccessRule proto) {
        return Specs.rule(spec(proto));
    }

    // ---------------------------------------------------------------- proto → spec

    public static ResourceSpec spec(dev.zerogate.proto.policy.v1.Resource proto) {
        return new ResourceSpec(proto.getId(), proto.getRemoteNetworkId(), proto.getName(), spec(proto.getAddress()), proto.getAlias(),
                spec(proto.getTcp()), spec(proto.getUdp()), proto.getIcmpAllowed());
    }

    public static ResourceSpec.Address spec(dev.zerogate.proto.policy.v1.ResourceAddress proto) {
        return switch (proto.getKindCase()) {
            case FQDN -> new ResourceSpec.Address(Optional.of(AddressKind.FQDN), proto.getFqdn());
            case WILDCARD -> new ResourceSpec.Address(Optional.of(AddressKind.WILDCARD), proto.getWildcard());
            case IP_ADDRESS -> new ResourceSpec.Address(Optional.of(AddressKind.IP_ADDRESS), proto.getIpAddress());
            case CIDR -> new ResourceSpec.Address(Optional.of(AddressKind.CIDR), proto.getCidr());
            case KIND_NOT_SET -> ResourceSpec.Address.UNSET;
        };
    }

    public static ResourceSpec.Ports spec(dev.zerogate.proto.policy.v1.PortPolicy proto) {
        return switch (proto.getModeCase()) {
            case ALL -> new ResourceSpec.Ports(Optional.of(PortPolicy.Mode.ALL), List.of());
            case NONE -> new ResourceSpec.Ports(Optional.of(PortPolicy.Mode.NONE), List.of());
            case LISTED -> new ResourceSpec.Ports(Optional.of(PortPolicy.Mode.LISTED), proto.getListed().getRangesList().stream()
                    .map(r -> new ResourceSpec.Range(Integer.toUnsignedLong(r.getFirstPort()), Integer.toUnsignedLong(r.getLastPort())))
                    .toList());
            case MODE_NOT_SET -> ResourceSpec.Ports.UNSET;
        };
    }

    public static GroupSpec spec(dev.zerogate.proto.policy.v1.Group proto) {
        List<GroupSpec.Member> members = new ArrayList<>();
        for (GroupMember member : proto.getMembersList()) {
            members.add(switch (member.getMemberCase()) {
                case USER_ID -> GroupSpec.Member.user(member.getUserId());
                case SERVICE_ACCOUNT_ID -> GroupSpec.Member.serviceAccount(member.getServiceAccountId());
                case MEMBER_NOT_SET -> new GroupSpec.Member(SubjectKind.UNSPECIFIED, "");
            });
        }
        return new GroupSpec(proto.getId(), proto.getName(), groupSource(proto.getSource()), proto.getIdpGroupName(), members);
    }

    public static RuleSpec spec(dev.zerogate.proto.policy.v1.AccessRule proto) {
        Optional<RuleSpec.Subject> subject = switch (proto.getSubjectCase()) {
            case GROUP_ID -> Optional.of(new RuleSpec.Subject(RuleSubject.Kind.GROUP, proto.getGroupId()));
            case SERVICE_ACCOUNT_ID -> Optional.of(new RuleSpec.Subject(RuleSubject.Kind.SERVICE_ACCOUNT, proto.getServiceAccountId()));
            case SUBJECT_NOT_SET -> Optional.empty();
        };
        Optional<ConditionsSpec> conditions = proto.hasConditions() ? Optional.of(spec(proto.getConditions())) : Optional.empty();
        return new RuleSpec(proto.getId(), proto.getName(), subject, proto.getResourceIdsList(), conditions, proto.getDisabled(),
                ProtoTime.instant(proto.getCreatedAt()));
    }

    public static ConditionsSpec spec(dev.zerogate.proto.policy.v1.AccessConditions proto) {
        Optional<ConditionsSpec.Posture> device = proto.hasDevice() ? Optional.of(spec(proto.getDevice())) : Optional.empty();
        List<ConditionsSpec.Window> windows = proto.getTimeWindowsList().stream().map(EngineMapping::spec).toList();
        return new ConditionsSpec(proto.getRequireMfa(),
                proto.hasMaxAuthAge() ? Optional.of(ProtoTime.duration(proto.getMaxAuthAge())) : Optional.empty(),
                device, windows, proto.hasExpiresAt() ? Optional.of(ProtoTime.instant(proto.getExpiresAt())) : Optional.empty());
    }

    private static ConditionsSpec.Posture spec(dev.zerogate.proto.policy.v1.DevicePostureRequirements proto) {
        List<ConditionsSpec.Os> allowed = proto.getAllowedOsList().stream()
                .map(requirement -> new ConditionsSpec.Os(operatingSystem(requirement.getOs()), requirement.getMinVersion()))
                .toList();
        return new ConditionsSpec.Posture(allowed, proto.getRequireDiskEncryption(), proto.getRequireScreenLock(),
                proto.getMinClientVersion(), proto.getRequireTrustedDevice());
    }

    private static ConditionsSpec.Window spec(dev.zerogate.proto.policy.v1.TimeWindow proto) {
        // An unspecified or unknown day becomes a number that names no day, for Specs to refuse.
        List<Integer> days = proto.getDaysList().stream()
                .map(day -> day == DayOfWeek.UNRECOGNIZED ? 0 : day.getNumber()).toList();
        return new ConditionsSpec.Window(days, proto.hasStart() ? Optional.of(spec(proto.getStart())) : Optional.empty(),
                proto.hasEnd() ? Optional.of(spec(proto.getEnd())) : Optional.empty(), proto.getTimeZone());
    }

    private static ConditionsSpec.Clock spec(TimeOfDay proto) {
        return new ConditionsSpec.Clock(Integer.toUnsignedLong(proto.getHours()), Integer.toUnsignedLong(proto.getMinutes()));
    }

    // ---------------------------------------------------------------- spec and engine → proto

    /** The message with the spec's fields set; the service's own fields (etag, times, description) are the caller's. */
    public static dev.zerogate.proto.policy.v1.Resource.Builder toProto(ResourceSpec spec) {
        var builder = dev.zerogate.proto.policy.v1.Resource.newBuilder().setId(spec.id()).setRemoteNetworkId(spec.networkId())
                .setName(spec.name()).setAlias(spec.alias()).setIcmpAllowed(spec.icmpAllowed());
        if (spec.address().kind().isPresent()) {
            builder.setAddress(toProto(spec.address()));
        }
        if (spec.tcp().mode().isPresent()) {
            builder.setTcp(toProto(spec.tcp()));
        }
        if (spec.udp().mode().isPresent()) {
            builder.setUdp(toProto(spec.udp()));
        }
        return builder;
    }

    private static dev.zerogate.proto.policy.v1.ResourceAddress toProto(ResourceSpec.Address address) {
        var builder = dev.zerogate.proto.policy.v1.ResourceAddress.newBuilder();
        return switch (address.kind().orElseThrow()) {
            case FQDN -> builder.setFqdn(address.text()).build();
            case WILDCARD -> builder.setWildcard(address.text()).build();
            case IP_ADDRESS -> builder.setIpAddress(address.text()).build();
            case CIDR -> builder.setCidr(address.text()).build();
        };
    }

    private static dev.zerogate.proto.policy.v1.PortPolicy toProto(ResourceSpec.Ports ports) {
        var builder = dev.zerogate.proto.policy.v1.PortPolicy.newBuilder();
        return switch (ports.mode().orElseThrow()) {
            case ALL -> builder.setAll(dev.zerogate.proto.policy.v1.AllPorts.getDefaultInstance()).build();
            case NONE -> builder.setNone(dev.zerogate.proto.policy.v1.NoPorts.getDefaultInstance()).build();
            case LISTED -> {
                var listed = dev.zerogate.proto.policy.v1.PortRanges.newBuilder();
                for (ResourceSpec.Range range : ports.ranges()) {
                    // Written back as the same 32 bits the API sent.
                    listed.addRanges(dev.zerogate.proto.policy.v1.PortRange.newBuilder()
                            .setFirstPort((int) range.first()).setLastPort((int) range.last()));
                }
                yield builder.setListed(listed).build();
            }
        };
    }

    /** The message with the spec's fields set; member display names, counts, etag and times are the caller's. */
    public static dev.zerogate.proto.policy.v1.Group.Builder toProto(GroupSpec spec) {
        var builder = dev.zerogate.proto.policy.v1.Group.newBuilder().setId(spec.id()).setName(spec.name())
                .setSource(toProto(spec.source())).setIdpGroupName(spec.idpGroupName());
        for (GroupSpec.Member member : spec.members()) {
            builder.addMembers(toProto(member));
        }
        return builder;
    }

    public static GroupMember toProto(GroupSpec.Member member) {
        return switch (member.kind()) {
            case USER -> GroupMember.newBuilder().setUserId(member.id()).build();
            case SERVICE_ACCOUNT -> GroupMember.newBuilder().setServiceAccountId(member.id()).build();
            case UNSPECIFIED -> GroupMember.getDefaultInstance();
        };
    }

    /** The message with the spec's fields set; description, etag and updated_at are the caller's. */
    public static dev.zerogate.proto.policy.v1.AccessRule.Builder toProto(RuleSpec spec) {
        var builder = dev.zerogate.proto.policy.v1.AccessRule.newBuilder().setId(spec.id()).setName(spec.name())
                .addAllResourceIds(spec.resourceIds()).setDisabled(spec.disabled()).setCreatedAt(ProtoTime.timestamp(spec.createdAt()));
        spec.subject().ifPresent(subject -> {
            switch (subject.kind()) {
                case GROUP -> builder.setGroupId(subject.id());
                case SERVICE_ACCOUNT -> builder.setServiceAccountId(subject.id());
            }
        });
        spec.conditions().ifPresent(conditions -> builder.setConditions(toProto(conditions)));
        return builder;
    }

    public static dev.zerogate.proto.policy.v1.AccessConditions toProto(ConditionsSpec spec) {
        var builder = dev.zerogate.proto.policy.v1.AccessConditions.newBuilder().setRequireMfa(spec.requireMfa());
        spec.maxAuthAge().ifPresent(age -> builder.setMaxAuthAge(ProtoTime.duration(age)));
        spec.device().ifPresent(device -> {
            var posture = dev.zerogate.proto.policy.v1.DevicePostureRequirements.newBuilder()
                    .setRequireDiskEncryption(device.requireDiskEncryption()).setRequireScreenLock(device.requireScreenLock())
                    .setMinClientVersion(device.minClientVersion()).setRequireTrustedDevice(device.requireTrustedDevice());
            device.allowedOs().forEach(os -> posture.addAllowedOs(dev.zerogate.proto.policy.v1.OsRequirement.newBuilder()
                    .setOs(toProto(os.os())).setMinVersion(os.minVersion())));
            builder.setDevice(posture);
        });
        for (ConditionsSpec.Window window : spec.timeWindows()) {
            var proto = dev.zerogate.proto.policy.v1.TimeWindow.newBuilder().setTimeZone(window.timeZone());
            window.days().forEach(day -> proto.addDaysValue(day));
            window.start().ifPresent(start -> proto.setStart(toProto(start)));
            window.end().ifPresent(end -> proto.setEnd(toProto(end)));
            builder.addTimeWindows(proto);
        }
        spec.expiresAt().ifPresent(expiry -> builder.setExpiresAt(ProtoTime.timestamp(expiry)));
        return builder.build();
    }

    private static TimeOfDay toProto(ConditionsSpec.Clock clock) {
        return TimeOfDay.newBuilder().setHours((int) clock.hours()).setMinutes((int) clock.minutes()).build();
    }

    // ---------------------------------------------------------------- enums, by table

    /** The engine's group source; an unset or unknown value is UNSPECIFIED. */
    public static GroupSource groupSource(dev.zerogate.proto.policy.v1.GroupSource source) {
        return switch (source) {
            case GROUP_SOURCE_LOCAL -> GroupSource.LOCAL;
            case GROUP_SOURCE_IDP_SYNC -> GroupSource.IDP_SYNC;
            case GROUP_SOURCE_UNSPECIFIED, UNRECOGNIZED -> GroupSource.UNSPECIFIED;
        };
    }

    public static dev.zerogate.proto.policy.v1.GroupSource toProto(GroupSource source) {
        return switch (source) {
            case LOCAL -> dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_LOCAL;
            case IDP_SYNC -> dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_IDP_SYNC;
            case UNSPECIFIED -> dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_UNSPECIFIED;
        };
    }

    /** The engine's operating system; an unset or unknown value is UNSPECIFIED, which meets no requirement. */
    public static OperatingSystem operatingSystem(dev.zerogate.proto.policy.v1.OperatingSystem os) {
        return switch (os) {
            case OPERATING_SYSTEM_LINUX -> OperatingSystem.LINUX;
            case OPERATING_SYSTEM_MACOS -> OperatingSystem.MACOS;
            case OPERATING_SYSTEM_WINDOWS -> OperatingSystem.WINDOWS;
            case OPERATING_SYSTEM_IOS -> OperatingSystem.IOS;
            case OPERATING_SYSTEM_ANDROID -> OperatingSystem.ANDROID;
            case OPERATING_SYSTEM_FREEBSD -> OperatingSystem.FREEBSD;
            case OPERATING_SYSTEM_UNSPECIFIED, UNRECOGNIZED -> OperatingSystem.UNSPECIFIED;
        };
    }

    public static dev.zerogate.proto.policy.v1.OperatingSystem toProto(OperatingSystem os) {
        return switch (os) {
            case LINUX -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_LINUX;
            case MACOS -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_MACOS;
            case WINDOWS -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_WINDOWS;
            case IOS -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_IOS;
            case ANDROID -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_ANDROID;
            case FREEBSD -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_FREEBSD;
            case UNSPECIFIED -> dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_UNSPECIFIED;
        };
    }

    /** The engine's protocol; an unset or unknown value is UNSPECIFIED, which the engine always denies. */
    public static Protocol protocol(dev.zerogate.proto.policy.v1.Protocol protocol) {
        return switch (protocol) {
            case PROTOCOL_TCP -> Protocol.TCP;
            case PROTOCOL_UDP -> Protocol.UDP;
            case PROTOCOL_ICMP -> Protocol.ICMP;
            case PROTOCOL_UNSPECIFIED, UNRECOGNIZED -> Protocol.UNSPECIFIED;
        };
    }

    public static dev.zerogate.proto.policy.v1.Protocol toProto(Protocol protocol) {
        return switch (protocol) {
            case TCP -> dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_TCP;
            case UDP -> dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_UDP;
            case ICMP -> dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_ICMP;
            case UNSPECIFIED -> dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_UNSPECIFIED;
        };
    }

    public static dev.zerogate.proto.policy.v1.DenyReason toProto(DenyReason reason) {
        return switch (reason) {
            case UNSPECIFIED -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_UNSPECIFIED;
            case NO_MATCHING_RESOURCE -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_NO_MATCHING_RESOURCE;
            case PORT_NOT_ALLOWED -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_PORT_NOT_ALLOWED;
            case NO_MATCHING_RULE -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_NO_MATCHING_RULE;
            case MFA_REQUIRED -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_MFA_REQUIRED;
            case AUTH_TOO_OLD -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_AUTH_TOO_OLD;
            case DEVICE_REQUIRED -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_DEVICE_REQUIRED;
            case DEVICE_POSTURE -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_DEVICE_POSTURE;
            case OUTSIDE_TIME_WINDOW -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_OUTSIDE_TIME_WINDOW;
            case RULE_EXPIRED -> dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_RULE_EXPIRED;
        };
    }

    /** The engine's deny reason; an unknown value is UNSPECIFIED. */
    public static DenyReason denyReason(dev.zerogate.proto.policy.v1.DenyReason reason) {
        return switch (reason) {
            case DENY_REASON_NO_MATCHING_RESOURCE -> DenyReason.NO_MATCHING_RESOURCE;
            case DENY_REASON_PORT_NOT_ALLOWED -> DenyReason.PORT_NOT_ALLOWED;
            case DENY_REASON_NO_MATCHING_RULE -> DenyReason.NO_MATCHING_RULE;
            case DENY_REASON_MFA_REQUIRED -> DenyReason.MFA_REQUIRED;
            case DENY_REASON_AUTH_TOO_OLD -> DenyReason.AUTH_TOO_OLD;
            case DENY_REASON_DEVICE_REQUIRED -> DenyReason.DEVICE_REQUIRED;
            case DENY_REASON_DEVICE_POSTURE -> DenyReason.DEVICE_POSTURE;
            case DENY_REASON_OUTSIDE_TIME_WINDOW -> DenyReason.OUTSIDE_TIME_WINDOW;
            case DENY_REASON_RULE_EXPIRED -> DenyReason.RULE_EXPIRED;
            case DENY_REASON_UNSPECIFIED, UNRECOGNIZED -> DenyReason.UNSPECIFIED;
        };
    }

    public static dev.zerogate.proto.policy.v1.Decision toProto(Verdict verdict) {
        return switch (verdict) {
            case PERMIT -> dev.zerogate.proto.policy.v1.Decision.DECISION_PERMIT;
            case DENY -> dev.zerogate.proto.policy.v1.Decision.DECISION_DENY;
        };
    }

    /** The engine's verdict; anything but PERMIT denies (fail closed). */
    public static Verdict verdict(dev.zerogate.proto.policy.v1.Decision decision) {
        return switch (decision) {
            case DECISION_PERMIT -> Verdict.PERMIT;
            case DECISION_DENY, DECISION_UNSPECIFIED, UNRECOGNIZED -> Verdict.DENY;
        };
    }
}
