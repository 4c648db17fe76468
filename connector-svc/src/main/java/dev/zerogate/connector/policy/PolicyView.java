package dev.zerogate.connector.policy;

import dev.zerogate.policy.engine.decision.PolicySnapshot;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.Resource;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connector's copy of the policy at one position of the stream: the resources of its
 * network, the access rules that list them, every group's membership and every revocation.
 * Immutable and safe to share between threads; {@link PolicyMirror} swaps in a new one per change.
 *
 * <p>Destinations are matched as policy-svc matches them (the engine's most specific resource:
 * exact name or alias, else the longest wildcard suffix; exact IP, else the longest CIDR prefix).
 * The index for that is built on first use and shared by later views while the resources stay
 * the same, so a change of a group or a revocation does not rebuild it.
 */
public final class PolicyView {

    private static final Logger LOG = Logger.getLogger(PolicyView.class);

    /** Before the first snapshot: nothing is known, nothing is allowed. */
    public static final PolicyView EMPTY = new PolicyView(false, 0, Map.of(), new ResourceMatcher(Map.of()), Map.of(), Map.of(), Map.of());

    private final boolean synced;
    private final long position;
    private final Map<String, Resource> resources;
    private final ResourceMatcher matcher;
    private final Map<String, AccessRule> rules;
    private final Map<String, GroupMembers> groups;
    private final Map<RevokedSubject, RevocationEntry> revocations;

    private PolicyView(boolean synced, long position, Map<String, Resource> resources, ResourceMatcher matcher,
                       Map<String, AccessRule> rules, Map<String, GroupMembers> groups,
                       Map<RevokedSubject, RevocationEntry> revocations) {
        this.synced = synced;
        this.position = position;
        this.resources = resources;
        this.matcher = matcher;
        this.rules = rules;
        this.groups = groups;
        this.revocations = revocations;
    }

    /** Whether a complete snapshot has been applied: before that the connector accepts no flow. */
    public boolean synced() {
        return synced;
    }

    /** The stream position this view reflects: a snapshot's sequence or the last change applied. */
    public long position() {
        return position;
    }

    public Optional<Resource> resource(String id) {
        return Optional.ofNullable(resources.get(id));
    }

    /** The most specific resource for {@code destination} (a host name or IP address as written); empty for none or a malformed one. */
    public Optional<Resource> mostSpecificResource(String destination) {
        return matcher.mostSpecific(destination);
    }

    public Optional<AccessRule> rule(String id) {
        return Optional.ofNullable(rules.get(id));
    }

    public Optional<GroupMembers> group(String id) {
        return Optional.ofNullable(groups.get(id));
    }

    public Optional<RevocationEntry> revocation(RevokedSubject.Kind kind, String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(revocations.get(new RevokedSubject(kind, id)));
    }

    public Map<String, Resource> resources() {
        return resources;
    }

    public Map<String, AccessRule> rules() {
        return rules;
    }

    public Map<String, GroupMembers> groups() {
        return groups;
    }

    public Map<RevokedSubject, RevocationEntry> revocations() {
        return revocations;
    }

    @Override
    public String toString() {
        return "PolicyView[synced=" + synced + ", position=" + position + ", resources=" + resources.size() + ", rules="
                + rules.size() + ", groups=" + groups.size() + ", revocations=" + revocations.size() + "]";
    }

    /** A builder starting from nothing (for a snapshot). */
    static Builder builder() {
        return new Builder(EMPTY);
    }

    /** A builder starting from this view (for one change); maps are copied on their first write only. */
    Builder toBuilder() {
        return new Builder(this);
    }

    /** Not thread-safe; used under {@link PolicyMirror}'s lock. */
    static final class Builder {
        private final PolicyView base;
        private Map<String, Resource> resources;
        private Map<String, AccessRule> rules;
        private Map<String, GroupMembers> groups;
        private Map<RevokedSubject, RevocationEntry> revocations;

        private Builder(PolicyView base) {
            this.base = base;
        }

        Builder putResource(Resource resource) {
            resources().put(resource.id(), resource);
            return this;
        }

        Builder removeResource(String id) {
            if (base.resources.containsKey(id) || resources != null) {
                resources().remove(id);
            }
            return this;
        }

        Builder putRule(AccessRule rule) {
            rules().put(rule.id(), rule);
            return this;
        }

        Builder removeRule(String id) {
            if (base.rules.containsKey(id) || rules != null) {
                rules().remove(id);
            }
            return this;
        }

        Builder putGroup(GroupMembers group) {
            groups().put(group.groupId(), group);
            return this;
        }

        Builder removeGroup(String id) {
            if (base.groups.containsKey(id) || groups != null) {
                groups().remove(id);
            }
            return this;
        }

        /** Records a revocation; of two for one subject the later counts. */
        Builder putRevocation(RevokedSubject subject, RevocationEntry entry) {
            revocations().merge(subject, entry, (old, added) -> added.revokedAt().isAfter(old.revokedAt()) ? added : old);
            return this;
        }

        PolicyView build(boolean synced, long position) {
            ResourceMatcher matcher = resources == null ? base.matcher : new ResourceMatcher(Map.copyOf(resources));
            return new PolicyView(synced, position, matcher.resources,
                    matcher, rules == null ? base.rules : Map.copyOf(rules),
                    groups == null ? base.groups : Map.copyOf(groups),
                    revocations == null ? base.revocations : Map.copyOf(revocations));
        }

        private Map<String, Resource> resources() {
            if (resources == null) {
                resources = new HashMap<>(base.resources);
            }
            return resources;
        }

        private Map<String, AccessRule> rules() {
            if (rules == null) {
                rules = new HashMap<>(base.rules);
            }
            return rules;
        }

        private Map<String, GroupMembers> groups() {
            if (groups == null) {
                groups = new HashMap<>(base.groups);
            }
            return groups;
        }

        private Map<RevokedSubject, RevocationEntry> revocations() {
            if (revocations == null) {
                revocations = new HashMap<>(base.revocations);
            }
            return revocations;
        }
    }

    /**
     * The engine's resource index over one set of resources, built on first use. Should two
     * resources share an address or alias (policy-svc validates that they never do), nothing
     * matches: fail closed, and say so once.
     */
    private static final class ResourceMatcher {
        private final Map<String, Resource> resources;
        private volatile Optional<PolicySnapshot> index;

        ResourceMatcher(Map<String, Resource> resources) {
            this.resources = resources;
        }

        Optional<Resource> mostSpecific(String destination) {
            Optional<PolicySnapshot> built = index;
            if (built == null) {
                built = build();
            }
            return built.flatMap(snapshot -> snapshot.mostSpecificResource(destination));
        }

        private synchronized Optional<PolicySnapshot> build() {
            if (index == null) {
                try {
                    index = Optional.of(PolicySnapshot.build(new PolicyContents(List.copyOf(resources.values()), List.of(), List.of())));
                } catch (IllegalArgumentException e) {
                    LOG.errorf("the connector's copy of the policy is inconsistent, no destination matches until it is fixed: %s",
                            e.getMessage());
                    index = Optional.empty();
                }
            }
            return index;
        }
    }
}
