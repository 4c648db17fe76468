package dev.zerogate.identity.service;

import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.Revocation.SubjectKind;
import dev.zerogate.identity.Session;
import dev.zerogate.identity.UpstreamIdentity;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.repository.SessionRepository;
import dev.zerogate.identity.repository.UpstreamIdentityRepository;
import dev.zerogate.identity.repository.UserRepository;
import dev.zerogate.identity.service.PageRequest.Page;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What admins do with people and their sign-ins: list and revoke users, list and end
 * sessions (one by one or for every member of a group), list the groups identity-svc puts in
 * tokens. Every change is audited with the admin as actor, and every revocation is logged
 * (and so enforced and published) in the same transaction.
 */
@ApplicationScoped
public class UserAdministration {

    /** A user with the upstream account it is linked to, if any. */
    public record UserView(User user, Optional<UpstreamIdentity> upstream) {
    }

    /** A group as identity-svc knows it: the admin group and upstream groups, with members. */
    public record GroupView(UUID id, String name, boolean upstream, int userCount) {
    }

    /** A session with whether it can still be refreshed. */
    public record SessionView(Session session, boolean refreshable, Optional<UUID> deviceId) {
    }

    private final UserRepository users;
    private final UpstreamIdentityRepository upstreamIdentities;
    private final SessionRepository sessions;
    private final SessionService sessionService;
    private final RevocationLog revocations;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    UserAdministration(UserRepository users, UpstreamIdentityRepository upstreamIdentities, SessionRepository sessions,
                       SessionService sessionService, RevocationLog revocations, IdentityAuditLog audit, IdentityConfig config, Clock clock) {
        this.users = users;
        this.upstreamIdentities = upstreamIdentities;
        this.sessions = sessions;
        this.sessionService = sessionService;
        this.revocations = revocations;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** Users ordered by username, optionally filtered by a substring and by revoked or not. */
    public Uni<Page<UserView>> listUsers(PageRequest page, String query, Optional<Boolean> revoked) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (query != null && !query.isBlank()) {
            where.append(" and (lower(username) like :q or lower(coalesce(email, '')) like :q or lower(coalesce(displayName, '')) like :q)");
            params.and("q", "%" + query.strip().toLowerCase(java.util.Locale.ROOT).replace("%", "").replace("_", "") + "%");
        }
        revoked.ifPresent(r -> where.append(r ? " and disabledAt is not null" : " and disabledAt is null"));
        page.after().ifPresent(key -> {
            where.append(" and username > :after");
            params.and("after", page.afterPart(0));
        });
        return Panache.withSession(() -> users.find(where + " order by username", params).page(0, page.size() + 1).list()
                .chain(found -> upstreamOf(found).map(links -> page.page(
                        found.stream().map(u -> new UserView(u, Optional.ofNullable(links.get(u.id)))).toList(),
                        view -> new String[] {view.user().username}))));
    }

    private Uni<Map<UUID, UpstreamIdentity>> upstreamOf(List<User> found) {
        if (found.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return upstreamIdentities.find("userId in ?1", found.stream().map(u -> u.id).toList()).list()
                .map(links -> links.stream().collect(Collectors.toMap(l -> l.userId, Function.identity(), (a, b) -> a)));
    }

    /** Revokes a user: no more sign-in, every session ended, tokens refused. Idempotent. */
    public Uni<UserView> revokeUser(UUID userId, String reason, String admin, String source) {
        return Panache.withTransaction(() -> users.findById(userId).chain(user -> {
            if (user == null) {
                return Uni.createFrom().failure(new IdentityException(Kind.NOT_FOUND, "no user " + userId));
            }
            if (user.disabledAt != null) {
                return Uni.createFrom().item(user);
            }
            user.disabledAt = now();
            user.revocationReason = reason;
            return endSessions(sessions.list("userId = ?1 and revokedAt is null", userId), "USER_REVOKED", source)
                    .chain(() -> revocations.append(SubjectKind.USER, userId, "USER_REVOKED", reason))
                    .chain(() -> audit.record("user.revoked", true, admin, userId.toString(), source, reason))
                    .replaceWith(user);
        })).call(revocations::catchUp)
                .chain(user -> Panache.withSession(() -> upstreamOf(List.of(user)))
                        .map(links -> new UserView(user, Optional.ofNullable(links.get(user.id)))));
    }

    /** The groups in tokens: the admin group and every upstream group some user has, by name. */
    public Uni<Page<GroupView>> listGroups(PageRequest page, String query) {
        return Panache.withSession(() -> users.listAll()).map(all -> {
            Map<String, Integer> counts = new TreeMap<>();
            Set<String> upstream = new java.util.HashSet<>();
            for (User user : all) {
                for (String group : sessionService.groupsOf(user)) {
                    counts.merge(group, 1, Integer::sum);
                }
                upstream.addAll(user.upstreamGroupSet());
            }
            counts.putIfAbsent(config.adminGroup(), 0);
            String q = query == null ? "" : query.strip().toLowerCase(java.util.Locale.ROOT);
            String after = page.after().isPresent() ? page.afterPart(0) : null;
            List<GroupView> matching = new ArrayList<>();
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                if (e.getKey().toLowerCase(java.util.Locale.ROOT).contains(q) && (after == null || e.getKey().compareTo(after) > 0)) {
                    matching.add(new GroupView(groupId(e.getKey()), e.getKey(), upstream.contains(e.getKey()), e.getValue()));
                }
                if (matching.size() > page.size()) {
                    break;
                }
            }
            return page.page(matching, g -> new String[] {g.name()});
        });
    }

    /**
     * A group's id as identity-svc reports it: derived from its name (UUID v3), until
     * policy-svc owns groups and identity-svc replicates their ids.
     */
    public static UUID groupId(String name) {
        return UUID.nameUUIDFromBytes(("zerogate-group:" + name).getBytes(StandardCharsets.UTF_8));
    }

    /** Ends every active session of every current member of the group; returns sessions and users affected. */
    public Uni<int[]> revokeGroupSessions(UUID groupId, String reason, String admin, String source) {
        return Panache.withTransaction(() -> users.listAll().chain(all -> {
            List<UUID> members = all.stream().filter(u -> sessionService.groupsOf(u).stream().anyMatch(g -> groupId(g).equals(groupId)))
                    .map(u -> u.id).toList();
            boolean known = groupId(config.adminGroup()).equals(groupId) || !members.isEmpty();
            if (!known) {
                return Uni.createFrom().failure(new IdentityException(Kind.NOT_FOUND, "no group " + groupId));
            }
            if (members.isEmpty()) {
                return Uni.createFrom().item(new int[] {0, 0});
            }
            return sessions.list("userId in ?1 and revokedAt is null", members).chain(active -> {
                int affectedUsers = (int) active.stream().map(s -> s.userId).distinct().count();
                return endSessions(Uni.createFrom().item(active), "ADMIN", source)
                        .chain(() -> audit.record("group.sessions_revoked", true, admin, groupId.toString(), source,
                                reason + " (" + active.size() + " sessions)"))
                        .replaceWith(new int[] {active.size(), affectedUsers});
            });
        })).call(revocations::catchUp);
    }

    /** Sessions, newest first, with optional user, device-key and state filters. */
    public Uni<Page<SessionView>> listSessions(PageRequest page, Optional<UUID> userId, Optional<String> deviceKeyThumbprint,
                                               Optional<String> state) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        userId.ifPresent(id -> {
            where.append(" and userId = :user");
            params.and("user", id);
        });
        deviceKeyThumbprint.ifPresent(jkt -> {
            where.append(" and deviceKeyThumbprint = :jkt");
            params.and("jkt", jkt);
        });
        String refreshable = "exists (select 1 from RefreshToken r where r.sessionId = s.id and r.usedAt is null and r.expiresAt > :now)";
        state.ifPresent(s -> {
            switch (s) {
                case "ACTIVE" -> where.append(" and revokedAt is null and ").append(refreshable);
                case "REVOKED" -> where.append(" and revokedAt is not null");
                case "EXPIRED" -> where.append(" and revokedAt is null and not ").append(refreshable);
                default -> throw new IdentityException(Kind.INVALID_ARGUMENT, "unknown session state");
            }
        });
        if (where.indexOf(":now") >= 0) {
            params.and("now", now());
        }
        page.after().ifPresent(key -> {
            where.append(" and (createdAt < :afterTime or (createdAt = :afterTime and id < :afterId))");
            params.and("afterTime", OffsetDateTime.parse(page.afterPart(0))).and("afterId", UUID.fromString(page.afterPart(1)));
        });
        OffsetDateTime now = now();
        return Panache.withSession(() -> sessions.find("from Session s where " + where + " order by createdAt desc, id desc", params)
                .page(0, page.size() + 1).list()
                .chain(found -> views(found, now))
                .map(views -> page.page(views, v -> new String[] {v.session().createdAt.toString(), v.session().id.toString()})));
    }

    /** Ends one session (reason ADMIN). Idempotent. */
    public Uni<SessionView> revokeSession(UUID sessionId, String reason, String admin, String source) {
        return Panache.withTransaction(() -> sessions.findById(sessionId).chain(session -> {
            if (session == null) {
                return Uni.createFrom().failure(new IdentityException(Kind.NOT_FOUND, "no session " + sessionId));
            }
            if (session.isRevoked()) {
                return Uni.createFrom().item(session);
            }
            return sessionService.end(session, "ADMIN", source)
                    .chain(() -> audit.record("session.revoked_by_admin", true, admin, sessionId.toString(), source, reason))
                    .replaceWith(session);
        })).call(revocations::catchUp)
                .chain(session -> Panache.withSession(() -> views(List.of(session), now())).map(list -> list.get(0)));
    }

    private Uni<List<SessionView>> views(List<Session> found, OffsetDateTime now) {
        if (found.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<UUID> ids = found.stream().map(s -> s.id).toList();
        List<String> keys = found.stream().map(s -> s.deviceKeyThumbprint).filter(java.util.Objects::nonNull).distinct().toList();
        Uni<List<UUID>> live = sessions.getSession().chain(db -> db.createQuery(
                        "select distinct r.sessionId from RefreshToken r where r.sessionId in :ids and r.usedAt is null and r.expiresAt > :now",
                        UUID.class).setParameter("ids", ids).setParameter("now", now).getResultList());
        Uni<Map<String, UUID>> devices = keys.isEmpty() ? Uni.createFrom().item(Map.of())
                : sessions.getSession().chain(db -> db.createQuery(
                        "select d.keyThumbprint, d.id from Device d where d.keyThumbprint in :keys", Object[].class)
                        .setParameter("keys", keys).getResultList())
                .map(rows -> rows.stream().collect(Collectors.toMap(r -> (String) r[0], r -> (UUID) r[1])));
        return live.chain(refreshable -> devices.map(byKey -> found.stream().map(s -> new SessionView(s,
                !s.isRevoked() && refreshable.contains(s.id),
                Optional.ofNullable(s.deviceKeyThumbprint == null ? null : byKey.get(s.deviceKeyThumbprint)))).toList()));
    }

    private Uni<Void> endSessions(Uni<List<Session>> active, String reason, String source) {
        return active.chain(list -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Session session : list) {
                chain = chain.chain(() -> sessionService.end(session, reason, source));
            }
            return chain;
        });
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
