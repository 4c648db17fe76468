package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.PolicyRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.validation.PolicyProblem;
import dev.zerogate.policy.engine.validation.PolicyValidator;
import dev.zerogate.policy.store.EntityCodec;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.policy.store.PolicyWriter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one path of an admin change: checked and validated against the whole policy as committed
 * (under the store's write lock), its rows written, one policy_log entry appended, and its audit
 * event recorded, all in one transaction, so that it reaches every replica's decisions and
 * streams or not at all. Each entity's service says what to check and what to write; this class
 * runs the steps in that order for all of them.
 */
@ApplicationScoped
public class PolicyChanges {

    /** Checks a change against the state it will be made on, and plans it; throws {@link PolicyError} to refuse it. */
    @FunctionalInterface
    public interface Plan<R> {
        Step<R> check(PolicyState state, Instant now);
    }

    /** The checked change, waiting for its log position. */
    @FunctionalInterface
    public interface Step<R> {
        Change<R> at(long sequence);
    }

    /**
     * What a change writes: its rows, its log entry, anything after it (more log entries), and
     * what the audit log says of it; and what the caller gets back.
     */
    public static final class Change<R> {
        private final R result;
        private Function<PolicyWriter, Uni<Void>> rows = w -> Uni.createFrom().voidItem();
        private Function<PolicyWriter, Uni<Void>> then = w -> Uni.createFrom().voidItem();
        private LogKind kind;
        private String entityId;
        private Set<String> networkIds = Set.of();
        private Set<String> previousNetworkIds = Set.of();
        private PolicyRecord logged;
        private String action;
        private AuditRecord.Target target;
        private PolicyRecord before;
        private PolicyRecord after;

        private Change(R result) {
            this.result = result;
        }

        /** A change that returns {@code result} to its caller. */
        public static <R> Change<R> returning(R result) {
            return new Change<>(result);
        }

        public Change<R> rows(Function<PolicyWriter, Uni<Void>> write) {
            this.rows = write;
            return this;
        }

        /**
         * The policy_log entry.
         *
         * @param networks the remote networks the entity concerns after the change
         * @param previousNetworks those it concerned before
         * @param record the entity after the change, or as it was when deleted
         */
        public Change<R> log(LogKind logKind, String id, Set<String> networks, Set<String> previousNetworks, PolicyRecord record) {
            this.kind = logKind;
            this.entityId = id;
            this.networkIds = networks;
            this.previousNetworkIds = previousNetworks;
            this.logged = record;
            return this;
        }

        /** Steps after the log entry, in the same transaction. */
        public Change<R> then(Function<PolicyWriter, Uni<Void>> next) {
            this.then = next;
            return this;
        }

        /**
         * The audit event: {@code action} on {@code what}, with the entity before and after it (null
         * for none) as its details.
         */
        public Change<R> audit(String auditAction, AuditRecord.Target what, PolicyRecord beforeChange, PolicyRecord afterChange) {
            this.action = auditAction;
            this.target = what;
            this.before = beforeChange;
            this.after = afterChange;
            return this;
        }
    }

    private final PolicyStore store;
    private final AuditLog audit;
    private final EntityCodec codec;

    PolicyChanges(PolicyStore store, AuditLog audit, EntityCodec codec) {
        this.store = store;
        this.audit = audit;
        this.codec = codec;
    }

    /** Makes the change {@code plan} describes, as {@code actor}. */
    public <R> Uni<R> apply(Actor actor, Plan<R> plan) {
        return store.write(w -> {
            Step<R> step = plan.check(w.state(), w.now());
            return w.nextSequence().chain(sequence -> {
                Change<R> change = step.at(sequence);
                return change.rows.apply(w)
                        .chain(() -> w.log(sequence, change.kind, change.entityId, change.networkIds, change.previousNetworkIds,
                                change.logged))
                        .chain(() -> change.then.apply(w))
                        .chain(() -> w.audit(audit.event(UUID.randomUUID().toString(), actor, change.action,
                                AuditRecord.Outcome.SUCCESS, change.target, "", "", codec.changeDetails(change.before, change.after))))
                        .replaceWith(change.result);
            });
        });
    }

    /** Records a revocation in the transaction of {@code w}: a row, and a log entry for the streams. */
    public Uni<Void> revoke(PolicyWriter w, RevocationRecord revocation, Long identitySequence) {
        return w.nextSequence().chain(sequence -> w.insertRevocation(revocation, identitySequence, sequence)
                .chain(() -> w.log(sequence, LogKind.REVOCATION, revocation.key(), Set.of(), Set.of(), revocation)));
    }

    // ---------------------------------------------------------------- checks every entity shares

    /** The engine's value of a candidate; a value it refuses is INVALID_ARGUMENT naming the field. */
    static <E> E judged(Supplier<E> convert) {
        try {
            return convert.get();
        } catch (InvalidPolicyException e) {
            throw PolicyError.invalid(e.field(), e.problem());
        }
    }

    /**
     * Refuses a change whose result has a problem involving the changed entity, reporting the
     * problem on that entity first: it is the one the admin can fix here.
     */
    static void validate(PolicyContents after, String changedId, Instant now) {
        List<PolicyProblem> problems = PolicyValidator.validateChange(after, changedId, now);
        problems.stream().filter(p -> p.entityId().equals(changedId)).findFirst()
                .or(() -> problems.stream().findFirst())
                .ifPresent(problem -> {
                    throw PolicyError.of(problem);
                });
    }

    static void limit(long count, int limit, String what) {
        if (count >= limit) {
            throw new PolicyError(PolicyError.Kind.RESOURCE_EXHAUSTED, "", "this installation allows at most " + limit + " " + what);
        }
    }

    static <T> T found(T entity, String what, String id) {
        if (entity == null) {
            throw PolicyError.notFound(what, id);
        }
        return entity;
    }

    static <T> T referenced(T entity, String what, String id) {
        if (entity == null) {
            throw PolicyError.precondition("no " + what + " with id " + id);
        }
        return entity;
    }

    /** Names of the rules in {@code names}, quoted, at most five, for a refusal. */
    static String someRules(List<String> names) {
        List<String> quoted = names.stream().map(name -> "'" + name + "'").sorted().toList();
        return String.join(", ", quoted.subList(0, Math.min(quoted.size(), 5))) + (quoted.size() > 5 ? " and others" : "");
    }
}
