package dev.zerogate.client.admin;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import dev.zerogate.client.cli.Converters;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.cli.TimeSpec;
import dev.zerogate.client.cli.WindowSpec;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyQuery;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.DeleteAccessRuleRequest;
import dev.zerogate.proto.policy.v1.DeleteAccessRuleResponse;
import dev.zerogate.proto.policy.v1.DevicePostureRequirements;
import dev.zerogate.proto.policy.v1.GetAccessRuleRequest;
import dev.zerogate.proto.policy.v1.ListAccessRulesRequest;
import dev.zerogate.proto.policy.v1.ListAccessRulesResponse;
import dev.zerogate.proto.policy.v1.OsRequirement;
import dev.zerogate.proto.policy.v1.TimeWindow;
import dev.zerogate.proto.policy.v1.UpdateAccessRuleRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code zerogate admin rules}: who may reach which resources, under which conditions. */
@Command(name = "rules", description = "Access rules: give a group or a service account resources, under conditions.",
        subcommands = {AdminRules.ListRules.class, AdminRules.Create.class, AdminRules.Show.class, AdminRules.Enable.class,
                AdminRules.Disable.class, AdminRules.Delete.class})
class AdminRules {

    static String subject(AccessRule rule, Map<String, String> groupNames) {
        switch (rule.getSubjectCase()) {
            case GROUP_ID:
                return "group " + groupNames.getOrDefault(rule.getGroupId(), rule.getGroupId());
            case SERVICE_ACCOUNT_ID:
                return "service-account " + rule.getServiceAccountId();
            default:
                return "";
        }
    }

    /** The rule's conditions in a few words each: "mfa", "max-auth-age 8h", a window, "expires ...", "posture". */
    static List<String> conditions(AccessConditions conditions) {
        List<String> parts = new ArrayList<>();
        if (conditions.getRequireMfa()) {
            parts.add("mfa");
        }
        if (conditions.hasMaxAuthAge()) {
            parts.add("max-auth-age " + TimeSpec.render(TimeSpec.fromProto(conditions.getMaxAuthAge())));
        }
        for (TimeWindow window : conditions.getTimeWindowsList()) {
            parts.add(WindowSpec.render(window));
        }
        if (conditions.hasExpiresAt()) {
            parts.add("expires " + TimeSpec.render(conditions.getExpiresAt()));
        }
        if (conditions.hasDevice()) {
            parts.add("posture: " + posture(conditions.getDevice()));
        }
        return parts;
    }

    static String posture(DevicePostureRequirements device) {
        List<String> parts = new ArrayList<>();
        if (device.getAllowedOsCount() > 0) {
            parts.add("os " + device.getAllowedOsList().stream().map(AdminRules::os).collect(Collectors.joining("/")));
        }
        if (device.getRequireDiskEncryption()) {
            parts.add("disk encryption");
        }
        if (device.getRequireScreenLock()) {
            parts.add("screen lock");
        }
        if (!device.getMinClientVersion().isEmpty()) {
            parts.add("client >= " + device.getMinClientVersion());
        }
        if (device.getRequireTrustedDevice()) {
            parts.add("trusted device");
        }
        return parts.isEmpty() ? "enrolled device" : String.join(", ", parts);
    }

    private static String os(OsRequirement requirement) {
        String name = requirement.getOs().name().replace("OPERATING_SYSTEM_", "").toLowerCase(Locale.ROOT);
        return requirement.getMinVersion().isEmpty() ? name : name + " >= " + requirement.getMinVersion();
    }

    static Table table(List<AccessRule> rules, Map<String, String> groupNames) {
        Table table = new Table("ID", "NAME", "SUBJECT", "RESOURCES", "CONDITIONS", "STATE");
        for (AccessRule rule : rules) {
            table.row(rule.getId(), rule.getName(), subject(rule, groupNames), rule.getResourceIdsCount(),
                    String.join("; ", conditions(rule.getConditions())), rule.getDisabled() ? "disabled" : "enabled");
        }
        return table;
    }

    static String render(AccessRule rule, Map<String, String> groupNames, Map<String, String> resourceNames) {
        Table.Fields fields = new Table.Fields()
                .add("ID", rule.getId())
                .add("Name", rule.getName())
                .add("Description", rule.getDescription())
                .add("Subject", rule.getSubjectCase() == AccessRule.SubjectCase.GROUP_ID
                        ? "group " + AdminCommand.named(groupNames, rule.getGroupId()) : subject(rule, groupNames))
                .add("State", rule.getDisabled() ? "disabled" : "enabled");
        AccessConditions conditions = rule.getConditions();
        fields.add("MFA", conditions.getRequireMfa() ? "required" : "not required")
                .add("Max auth age", conditions.hasMaxAuthAge() ? TimeSpec.render(TimeSpec.fromProto(conditions.getMaxAuthAge())) : "")
                .add("Time windows", conditions.getTimeWindowsList().stream().map(WindowSpec::render).collect(Collectors.joining("; ")))
                .add("Expires", conditions.hasExpiresAt() ? TimeSpec.render(conditions.getExpiresAt()) : "never")
                .add("Device posture", conditions.hasDevice() ? posture(conditions.getDevice()) : "")
                .add("Created", TimeSpec.render(rule.getCreatedAt()))
                .add("Updated", TimeSpec.render(rule.getUpdatedAt()));
        StringBuilder text = new StringBuilder(fields.render()).append('\n');
        Table resources = new Table("RESOURCE ID", "NAME");
        for (String id : rule.getResourceIdsList()) {
            resources.row(id, resourceNames.getOrDefault(id, "(missing)"));
        }
        return text.append(resources.render()).toString();
    }

    @Command(name = "list", description = "List access rules, by name.")
    static class ListRules extends PolicyQuery {
        @Option(names = "--group", paramLabel = "ID", description = "Only the rules for this group.")
        String group = "";

        @Override
        protected int run(PolicyCall call) {
            List<AccessRule> rules = allPages(token -> call.policy().admin().listAccessRules(ListAccessRulesRequest.newBuilder()
                            .setPageSize(PAGE_SIZE).setPageToken(token).setGroupId(group).build()),
                    ListAccessRulesResponse::getRulesList, ListAccessRulesResponse::getNextPageToken);
            if (json) {
                return printJson(call, rules);
            }
            if (rules.isEmpty()) {
                call.out().println("No access rules" + (group.isEmpty() ? ": nothing is reachable yet (default deny)." : " for this group."));
                return 0;
            }
            table(rules, AdminCommand.groupNames(call)).print(call.out());
            return 0;
        }
    }

    /** Exactly one subject. */
    static class Subject {
        @Option(names = "--group", required = true, paramLabel = "ID", description = "For every member of this group.")
        String group;

        @Option(names = "--service-account", required = true, paramLabel = "ID", description = "For this service account.")
        String serviceAccount;
    }

    @Command(name = "create", description = "Create an access rule.")
    static class Create extends PolicyQuery {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Its name, unique, e.g. \"admins -> pihole\".")
        String name;

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text for admins.")
        String description = "";

        @ArgGroup(exclusive = true, multiplicity = "1")
        Subject subject;

        @Option(names = "--resource", required = true, paramLabel = "ID", split = ",", arity = "1..*",
                description = "The resources it grants (repeatable, or comma-separated).")
        List<String> resources;

        @Option(names = "--require-mfa", description = "Only for sign-ins with a second factor.")
        boolean requireMfa;

        @Option(names = "--max-auth-age", paramLabel = "DURATION", converter = Converters.Length.class,
                description = "Only within this long of the last sign-in, e.g. 30m, 8h, 2d (1 minute to 30 days).")
        Duration maxAuthAge;

        @Option(names = "--expires-at", paramLabel = "TIME", converter = Converters.PointInTime.class,
                description = "Grant nothing after this time, e.g. 2026-12-31T00:00:00Z.")
        Timestamp expiresAt;

        @Option(names = "--window", paramLabel = "WINDOW", converter = Converters.Window.class,
                description = "Only inside this weekly window, e.g. \"Mon-Fri 08:00-18:00 Europe/Berlin\" (repeatable).")
        List<TimeWindow> windows = new ArrayList<>();

        @Option(names = "--disabled", description = "Create it disabled: kept, but granting nothing.")
        boolean disabled;

        AccessRule rule() {
            AccessRule.Builder rule = AccessRule.newBuilder().setName(name).setDescription(description).setDisabled(disabled);
            if (subject.group != null) {
                rule.setGroupId(subject.group.strip());
            } else {
                rule.setServiceAccountId(subject.serviceAccount.strip());
            }
            resources.forEach(id -> rule.addResourceIds(id.strip()));
            AccessConditions.Builder conditions = AccessConditions.newBuilder().setRequireMfa(requireMfa).addAllTimeWindows(windows);
            if (maxAuthAge != null) {
                conditions.setMaxAuthAge(TimeSpec.toProto(maxAuthAge));
            }
            if (expiresAt != null) {
                conditions.setExpiresAt(expiresAt);
            }
            AccessConditions built = conditions.build();
            if (!built.equals(AccessConditions.getDefaultInstance())) {
                rule.setConditions(built);
            }
            return rule.build();
        }

        @Override
        protected int run(PolicyCall call) {
            AccessRule created = call.policy().admin().createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(rule()).build())
                    .getRule();
            if (json) {
                return printJson(call, created);
            }
            call.out().println("Created access rule " + created.getName() + " (" + created.getId() + ")"
                    + (created.getDisabled() ? ", disabled." : "."));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one access rule with its conditions and resources.")
    static class Show extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The rule's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            AccessRule rule = call.policy().admin().getAccessRule(GetAccessRuleRequest.newBuilder().setId(id).build()).getRule();
            if (json) {
                return printJson(call, rule);
            }
            Map<String, String> groups = rule.getSubjectCase() == AccessRule.SubjectCase.GROUP_ID ? AdminCommand.groupNames(call) : Map.of();
            call.out().print(render(rule, groups, AdminCommand.resourceNames(call)));
            return 0;
        }
    }

    /** Sets "disabled" alone (mask "disabled"): the rest of the rule stays as it is, whoever changes it meanwhile. */
    abstract static class Toggle extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The rule's id.")
        String id;

        abstract boolean disabled();

        @Override
        protected int run(PolicyCall call) {
            AccessRule rule = call.policy().admin().updateAccessRule(UpdateAccessRuleRequest.newBuilder()
                    .setRule(AccessRule.newBuilder().setId(id).setDisabled(disabled()))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("disabled")).build()).getRule();
            if (json) {
                return printJson(call, rule);
            }
            call.out().println((disabled() ? "Disabled" : "Enabled") + " access rule " + rule.getName() + " (" + rule.getId() + ").");
            return 0;
        }
    }

    @Command(name = "enable", description = "Enable an access rule.")
    static class Enable extends Toggle {
        @Override
        boolean disabled() {
            return false;
        }
    }

    @Command(name = "disable", description = "Disable an access rule: kept, but granting nothing; its flows are closed.")
    static class Disable extends Toggle {
        @Override
        boolean disabled() {
            return true;
        }
    }

    @Command(name = "delete", description = "Delete an access rule; flows only it allowed are closed.")
    static class Delete extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The rule's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            DeleteAccessRuleResponse response = call.policy().admin().deleteAccessRule(DeleteAccessRuleRequest.newBuilder().setId(id).build());
            if (json) {
                return printJson(call, response);
            }
            call.out().println("Deleted access rule " + id + ".");
            return 0;
        }
    }
}
