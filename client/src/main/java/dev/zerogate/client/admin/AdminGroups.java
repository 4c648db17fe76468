package dev.zerogate.client.admin;

import com.google.protobuf.FieldMask;
import dev.zerogate.client.cli.CliErrors;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.cli.TimeSpec;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyQuery;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.DeleteGroupRequest;
import dev.zerogate.proto.policy.v1.DeleteGroupResponse;
import dev.zerogate.proto.policy.v1.GetGroupRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.ListGroupsRequest;
import dev.zerogate.proto.policy.v1.ListGroupsResponse;
import dev.zerogate.proto.policy.v1.UpdateGroupRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code zerogate admin groups}: sets of users and service accounts that access rules name. */
@Command(name = "groups", description = "Groups: the users and service accounts access rules are for.",
        subcommands = {AdminGroups.ListGroups.class, AdminGroups.Create.class, AdminGroups.Show.class, AdminGroups.AddMember.class,
                AdminGroups.RemoveMember.class, AdminGroups.Delete.class})
class AdminGroups {

    /** How often add-member and remove-member re-read the group when someone else changed it meanwhile. */
    static final int ATTEMPTS = 3;

    static String source(GroupSource source) {
        switch (source) {
            case GROUP_SOURCE_LOCAL:
                return "local";
            case GROUP_SOURCE_IDP_SYNC:
                return "idp-sync";
            default:
                return "";
        }
    }

    static Table table(List<Group> groups) {
        Table table = new Table("ID", "NAME", "SOURCE", "IDP GROUP", "MEMBERS");
        for (Group group : groups) {
            table.row(group.getId(), group.getName(), source(group.getSource()), group.getIdpGroupName(), group.getMemberCount());
        }
        return table;
    }

    static String render(Group group) {
        StringBuilder text = new StringBuilder(new Table.Fields()
                .add("ID", group.getId())
                .add("Name", group.getName())
                .add("Description", group.getDescription())
                .add("Source", source(group.getSource()))
                .add("IdP group", group.getIdpGroupName())
                .add("Members", group.getMemberCount())
                .add("Created", TimeSpec.render(group.getCreatedAt()))
                .add("Updated", TimeSpec.render(group.getUpdatedAt()))
                .render());
        if (group.getMembersCount() > 0) {
            Table members = new Table("KIND", "ID", "NAME");
            for (GroupMember member : group.getMembersList()) {
                boolean user = member.getMemberCase() == GroupMember.MemberCase.USER_ID;
                members.row(user ? "user" : "service-account", user ? member.getUserId() : member.getServiceAccountId(),
                        member.getDisplayName());
            }
            text.append('\n').append(members.render());
        }
        return text.toString();
    }

    @Command(name = "list", description = "List groups, by name.")
    static class ListGroups extends PolicyQuery {
        @Override
        protected int run(PolicyCall call) {
            List<Group> groups = allPages(token -> call.policy().admin().listGroups(ListGroupsRequest.newBuilder()
                            .setPageSize(PAGE_SIZE).setPageToken(token).build()),
                    ListGroupsResponse::getGroupsList, ListGroupsResponse::getNextPageToken);
            if (json) {
                return printJson(call, groups);
            }
            if (groups.isEmpty()) {
                call.out().println("No groups. Create one: zerogate admin groups create --name NAME");
                return 0;
            }
            table(groups).print(call.out());
            return 0;
        }
    }

    @Command(name = "create", description = "Create a group: local (members listed here) or synced from the IdP's groups claim.")
    static class Create extends PolicyQuery {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Its name, unique, e.g. homelab-admins.")
        String name;

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text for admins.")
        String description = "";

        @Option(names = "--idp-group", paramLabel = "GROUP",
                description = "Make it an IdP-synced group: users are members while their IdP's groups claim holds this value.")
        String idpGroup;

        @Option(names = "--member-user", paramLabel = "UUID", split = ",", description = "A user to add (repeatable).")
        List<String> users = new ArrayList<>();

        @Option(names = "--member-service-account", paramLabel = "UUID", split = ",", description = "A service account to add (repeatable).")
        List<String> serviceAccounts = new ArrayList<>();

        @Override
        protected void checkArguments() {
            if (idpGroup != null && (!users.isEmpty() || !serviceAccounts.isEmpty())) {
                throw usage("an IdP-synced group (--idp-group) takes its members from the IdP; drop --member-user and "
                        + "--member-service-account");
            }
        }

        Group group() {
            Group.Builder group = Group.newBuilder().setName(name).setDescription(description);
            if (idpGroup != null) {
                group.setSource(GroupSource.GROUP_SOURCE_IDP_SYNC).setIdpGroupName(idpGroup);
            } else {
                group.setSource(GroupSource.GROUP_SOURCE_LOCAL);
            }
            users.forEach(user -> group.addMembers(GroupMember.newBuilder().setUserId(user.strip())));
            serviceAccounts.forEach(account -> group.addMembers(GroupMember.newBuilder().setServiceAccountId(account.strip())));
            return group.build();
        }

        @Override
        protected int run(PolicyCall call) {
            Group created = call.policy().admin().createGroup(CreateGroupRequest.newBuilder().setGroup(group()).build()).getGroup();
            if (json) {
                return printJson(call, created);
            }
            call.out().println("Created group " + created.getName() + " (" + created.getId() + ") with "
                    + created.getMemberCount() + " member(s).");
            return 0;
        }
    }

    @Command(name = "show", description = "Show one group with its members.")
    static class Show extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The group's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            Group group = call.policy().admin().getGroup(GetGroupRequest.newBuilder().setId(id).build()).getGroup();
            if (json) {
                return printJson(call, group);
            }
            call.out().print(render(group));
            return 0;
        }
    }

    /** Exactly one of a user and a service account. */
    static class Member {
        @Option(names = "--user", required = true, paramLabel = "UUID", description = "The user.")
        String user;

        @Option(names = "--service-account", required = true, paramLabel = "UUID", description = "The service account.")
        String serviceAccount;

        GroupMember member() {
            return user != null ? GroupMember.newBuilder().setUserId(user.strip()).build()
                    : GroupMember.newBuilder().setServiceAccountId(serviceAccount.strip()).build();
        }

        String describe() {
            return user != null ? "user " + user.strip() : "service account " + serviceAccount.strip();
        }
    }

    static boolean same(GroupMember a, GroupMember b) {
        return a.getMemberCase() == b.getMemberCase() && a.getUserId().equals(b.getUserId())
                && a.getServiceAccountId().equals(b.getServiceAccountId());
    }

    /**
     * Read, change the member list, write it back with the etag read (mask "members"). The only
     * FAILED_PRECONDITION a local group's member update can get is a stale etag (someone changed
     * the group in between): read again and retry, a few times.
     */
    abstract static class MemberChange extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The group's id.")
        String id;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Member who;

        /** The new member list, or null when nothing changes (then {@link #unchanged} explains). */
        abstract List<GroupMember> change(List<GroupMember> members);

        /** Why nothing changed. */
        abstract String unchanged(Group group);

        /** Whether nothing to change means the command failed (removing a non-member) rather than succeeded. */
        abstract boolean unchangedFails();

        abstract String done(Group group);

        @Override
        protected int run(PolicyCall call) {
            for (int attempt = 1; ; attempt++) {
                Group group = call.policy().admin().getGroup(GetGroupRequest.newBuilder().setId(id).build()).getGroup();
                if (group.getSource() != GroupSource.GROUP_SOURCE_LOCAL) {
                    spec.commandLine().getErr().println("zerogate: group " + group.getName() + " is synced from the IdP ("
                            + group.getIdpGroupName() + "); its members change there");
                    return CliErrors.FAILED;
                }
                List<GroupMember> members = change(group.getMembersList());
                if (members == null) {
                    if (unchangedFails()) {
                        spec.commandLine().getErr().println("zerogate: " + unchanged(group));
                        return CliErrors.FAILED;
                    }
                    if (json) {
                        return printJson(call, group);
                    }
                    call.out().println(unchanged(group));
                    return 0;
                }
                try {
                    Group updated = call.policy().admin().updateGroup(UpdateGroupRequest.newBuilder()
                            .setGroup(Group.newBuilder().setId(id).setEtag(group.getEtag()).addAllMembers(members))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("members")).build()).getGroup();
                    if (json) {
                        return printJson(call, updated);
                    }
                    call.out().println(done(updated));
                    return 0;
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION || attempt >= ATTEMPTS) {
                        throw e;
                    }
                }
            }
        }

        /** The members as the update sends them: ids only (display names are output only). */
        static List<GroupMember> ids(List<GroupMember> members) {
            List<GroupMember> ids = new ArrayList<>();
            for (GroupMember member : members) {
                ids.add(member.toBuilder().clearDisplayName().build());
            }
            return ids;
        }
    }

    @Command(name = "add-member", description = "Add a user or service account to a local group.")
    static class AddMember extends MemberChange {
        @Override
        List<GroupMember> change(List<GroupMember> members) {
            GroupMember added = who.member();
            if (members.stream().anyMatch(m -> same(m, added))) {
                return null;
            }
            List<GroupMember> changed = ids(members);
            changed.add(added);
            return changed;
        }

        @Override
        String unchanged(Group group) {
            return who.describe() + " is already a member of group " + group.getName() + "; nothing changed.";
        }

        @Override
        boolean unchangedFails() {
            return false;
        }

        @Override
        String done(Group group) {
            return "Added " + who.describe() + " to group " + group.getName() + " (" + group.getMemberCount() + " member(s)).";
        }
    }

    @Command(name = "remove-member", description = "Remove a user or service account from a local group.")
    static class RemoveMember extends MemberChange {
        @Override
        List<GroupMember> change(List<GroupMember> members) {
            GroupMember removed = who.member();
            if (members.stream().noneMatch(m -> same(m, removed))) {
                return null;
            }
            List<GroupMember> changed = ids(members);
            changed.removeIf(m -> same(m, removed));
            return changed;
        }

        @Override
        String unchanged(Group group) {
            return who.describe() + " is not a member of group " + group.getName();
        }

        @Override
        boolean unchangedFails() {
            return true;
        }

        @Override
        String done(Group group) {
            return "Removed " + who.describe() + " from group " + group.getName() + " (" + group.getMemberCount() + " member(s)).";
        }
    }

    @Command(name = "delete", description = "Delete a group that no access rule is for.")
    static class Delete extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The group's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            DeleteGroupResponse response = call.policy().admin().deleteGroup(DeleteGroupRequest.newBuilder().setId(id).build());
            if (json) {
                return printJson(call, response);
            }
            call.out().println("Deleted group " + id + ".");
            return 0;
        }
    }
}
