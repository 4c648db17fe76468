package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.HumanText;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.Destination;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PortRange;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.Subject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The decision function. Steps, in order, each able to end the decision:
 *
 * <ol>
 *   <li>The request: a known caller kind, a protocol, a port in range for it (0 for ICMP), a
 *       destination that is a host name or an IP address. Otherwise DENY with
 *       {@code invalidRequest}.
 *   <li>The most specific resource for the destination ({@link ResourceIndex}). None:
 *       NO_MATCHING_RESOURCE.
 *   <li>The rules listing that resource whose subject is the caller, in any state. None: the
 *       caller may not learn that the resource exists, so NO_MATCHING_RESOURCE, exactly as in
 *       step 2, with the match kept in {@link Decision#concealed()} for the audit log.
 *   <li>The resource's port rule for the protocol: PORT_NOT_ALLOWED.
 *   <li>Among the caller's active rules (enabled, unexpired) in evaluation order (created_at,
 *       then id), the first whose conditions all hold permits.
 *   <li>Otherwise the most actionable failure (see {@link #mostActionable}); with no active rule,
 *       RULE_EXPIRED if one of the caller's rules expired, else NO_MATCHING_RULE (all disabled).
 * </ol>
 *
 * Never throws for any input: malformed input is a DENY.
 */
final class Authorizer {

    private final PolicySnapshot policy;

    Authorizer(PolicySnapshot policy) {
        this.policy = policy;
    }

    Decision decide(Subject subject, Optional<Device> device, String destination, int port, Protocol protocol, Instant now) {
        Optional<String> requestProblem = requestProblem(subject, port, protocol, now);
        if (requestProblem.isPresent()) {
            return Decision.invalidRequest(requestProblem.get());
        }
        Destination parsed;
        try {
            parsed = Destination.parse(destination);
        } catch (InvalidPolicyException e) {
            return Decision.invalidRequest("destination " + HumanText.quoted(String.valueOf(destination))
                    + " is neither a host name nor an IP address: " + e.problem());
        }
        Optional<Resource> matched = policy.index().match(parsed);
        if (matched.isEmpty()) {
            return Decision.noMatchingResource(destination, parsed, Optional.empty());
        }
        Resource resource = matched.get();
        List<RuleMatch> callersRules = policy.rulesFor(resource).stream()
                .flatMap(rule -> RuleMatch.of(rule, subject, policy.groupsById()).stream())
                .toList();
        if (callersRules.isEmpty()) {
            return Decision.noMatchingResource(destination, parsed, Optional.of(new Decision.Concealed(resource,
                    resource.describe() + " matched, but no rule lists it for this caller")));
        }
        if (!resource.allows(protocol, port)) {
            return Decision.deny(DenyReason.PORT_NOT_ALLOWED, resource, Optional.empty(), portNotAllowed(resource, protocol, port));
        }
        return decideByRules(resource, callersRules, subject, device, now);
    }

    private static Optional<String> requestProblem(Subject subject, int port, Protocol protocol, Instant now) {
        if (subject == null || !subject.isEvaluable()) {
            return Optional.of("the caller is neither a known user nor a known service account");
        }
        if (now == null) {
            return Optional.of("the decision time is missing");
        }
        if (protocol == null || protocol == Protocol.UNSPECIFIED) {
            return Optional.of("the protocol is unspecified: use TCP, UDP or ICMP");
        }
        if (protocol == Protocol.ICMP) {
            return port == 0 ? Optional.empty() : Optional.of("ICMP has no ports: send port 0, not " + port);
        }
        boolean inRange = port >= PortRange.MIN_PORT && port <= PortRange.MAX_PORT;
        return inRange ? Optional.empty() : Optional.of("port " + port + " is out of range for " + protocol + ": use 1 to 65535");
    }

    private static String portNotAllowed(Resource resource, Protocol protocol, int port) {
        if (protocol == Protocol.ICMP) {
            return resource.describe() + " does not allow ICMP (ping)";
        }
        PortPolicy allowed = protocol == Protocol.TCP ? resource.tcp() : resource.udp();
        return resource.describe() + " does not allow " + protocol + " port " + port + " (" + protocol + ": " + allowed.describe() + ")";
    }

    private Decision decideByRules(Resource resource, List<RuleMatch> callersRules, Subject subject, Optional<Device> device,
            Instant now) {
        List<Failure> failures = new ArrayList<>();
        for (RuleMatch match : callersRules) {
            AccessRule rule = match.rule();
            if (!rule.isActiveAt(now)) {
                continue;
            }
            List<UnmetCondition> unmet = ConditionEvaluator.unmet(rule.conditions(), subject, device, now);
            if (unmet.isEmpty()) {
                return Decision.permit(resource, rule, grantLimit(rule, now));
            }
            failures.add(new Failure(rule, unmet));
        }
        if (!failures.isEmpty()) {
            return mostActionable(failures, resource);
        }
        Optional<AccessRule> lastExpired = callersRules.stream()
                .map(RuleMatch::rule)
                .filter(rule -> !rule.disabled() && rule.isExpiredAt(now))
                .max(Comparator.comparing((AccessRule rule) -> rule.conditions().expiresAt().orElseThrow())
                        .thenComparing(AccessRule.EVALUATION_ORDER.reversed()));
        if (lastExpired.isPresent()) {
            AccessRule rule = lastExpired.get();
            return Decision.deny(DenyReason.RULE_EXPIRED, resource, lastExpired, rule.describe() + " expired at "
                    + rule.conditions().expiresAt().orElseThrow() + " — ask an admin to extend it");
        }
        return Decision.deny(DenyReason.NO_MATCHING_RULE, resource, Optional.empty(),
                "no enabled rule gives you " + resource.describe() + " — ask an admin");
    }

    /** One active rule of the caller's whose conditions do not all hold. */
    private record Failure(AccessRule rule, List<UnmetCondition> unmet) {

        /** The failure that will still block after the caller fixed everything easier. */
        UnmetCondition decisive() {
            return unmet.get(unmet.size() - 1);
        }

        int difficulty() {
            return ConditionEvaluator.ACTIONABILITY.indexOf(decisive().reason());
        }
    }

    /**
     * Picks what to tell the caller when every active rule failed: the rule the caller is closest
     * to satisfying (its hardest unmet condition is the most actionable; then fewest unmet
     * conditions; then evaluation order), reported with that hardest condition as the deny reason,
     * so that the client does not prompt for a sign-in that cannot help (MFA and outside the time
     * window reports OUTSIDE_TIME_WINDOW). The human reason names every unmet condition of that rule.
     */
    private static Decision mostActionable(List<Failure> failures, Resource resource) {
        Failure chosen = failures.stream()
                .min(Comparator.comparingInt(Failure::difficulty).thenComparingInt(f -> f.unmet().size()))
                .orElseThrow();
        List<UnmetCondition> hardestFirst = new ArrayList<>(chosen.unmet());
        Collections.reverse(hardestFirst);
        List<String> explanations = hardestFirst.stream().map(UnmetCondition::explanation).toList();
        Set<String> remedies = new LinkedHashSet<>(hardestFirst.stream().map(UnmetCondition::remedy).toList());
        String text = chosen.rule().describe() + " " + String.join("; it also ", explanations)
                + " — " + String.join(", then ", remedies);
        return Decision.deny(chosen.decisive().reason(), resource, Optional.of(chosen.rule()), text);
    }

    /** The rule's expiry or the end of the window occurrence it permits in, whichever comes first. */
    private static Optional<Instant> grantLimit(AccessRule rule, Instant now) {
        Optional<Instant> windowEnd = rule.conditions().timeWindows().stream()
                .filter(window -> window.contains(now))
                .map(window -> window.endOfOccurrence(now))
                .max(Comparator.naturalOrder());
        Optional<Instant> expiry = rule.conditions().expiresAt();
        if (windowEnd.isPresent() && expiry.isPresent()) {
            return Optional.of(windowEnd.get().isBefore(expiry.get()) ? windowEnd.get() : expiry.get());
        }
        return windowEnd.isPresent() ? windowEnd : expiry;
    }
}
