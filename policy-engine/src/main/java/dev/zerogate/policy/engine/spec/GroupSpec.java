package dev.zerogate.policy.engine.spec;

import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.SubjectKind;

import java.util.List;

/**
 * A group as written.
 *
 * @param id group id
 * @param name display name, untrimmed
 * @param source where membership comes from; UNSPECIFIED when not given or unknown
 * @param idpGroupName the upstream group of an IDP_SYNC group; empty for none
 * @param members the members of a LOCAL group, in the order written
 */
public record GroupSpec(String id, String name, GroupSource source, String idpGroupName, List<Member> members) {

    public GroupSpec {
        id = id == null ? "" : id;
        name = name == null ? "" : name;
        source = source == null ? GroupSource.UNSPECIFIED : source;
        idpGroupName = idpGroupName == null ? "" : idpGroupName;
        members = members == null ? List.of() : List.copyOf(members);
    }

    /**
     * One member.
     *
     * @param kind a user or a service account; UNSPECIFIED when the entry names neither
     * @param id the user id or the service-account id
     */
    public record Member(SubjectKind kind, String id) {

        public Member {
            kind = kind == null ? SubjectKind.UNSPECIFIED : kind;
            id = id == null ? "" : id;
        }

        public static Member user(String id) {
            return new Member(SubjectKind.USER, id);
        }

        public static Member serviceAccount(String id) {
            return new Member(SubjectKind.SERVICE_ACCOUNT, id);
        }
    }
}
