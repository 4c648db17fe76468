package dev.zerogate.identity.service;

import dev.zerogate.identity.ConnectorCredential;
import dev.zerogate.identity.ConnectorCredential.State;
import dev.zerogate.identity.ConnectorRefreshToken;
import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.Revocation.SubjectKind;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.repository.ConnectorCredentialRepository;
import dev.zerogate.identity.repository.ConnectorRefreshTokenRepository;
import dev.zerogate.identity.service.PageRequest.Page;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The issuing side of connectors' credentials (connector-svc holds and rotates what this
 * issues), handed out the way Twingate's admin console does: an admin provisions a connector
 * and receives, once, a bootstrap access token and refresh token (and the {@code docker run}
 * line that carries them). The connector exchanges the pair, with a CSR for a key it made,
 * for its certificate, a short-lived access token and a refresh token, and from then on
 * rotates them itself. Both halves of the bootstrap pair are opaque random
 * secrets known only by digest (a JWT would add nothing: only identity-svc ever reads them).
 *
 * <p>Reuse is theft: the bootstrap pair presented after it was spent, or a spent refresh
 * token presented again, revokes the connector's credentials (committed before the caller
 * hears UNAUTHENTICATED), is audited and published; the admin provisions it again.
 */
@ApplicationScoped
public class ConnectorCredentialIssuer {

    static final Duration MIN_BOOTSTRAP_TTL = Duration.ofMinutes(5);
    static final Duration MAX_BOOTSTRAP_TTL = Duration.ofDays(7);

    /** What CreateConnector hands the admin, once. */
    public record Provisioned(ConnectorCredential credential, String accessToken, String refreshToken, String dockerRun,
                              Map<String, String> environment) {
    }

    /** A connector's fresh tokens (and certificate, when it sent a CSR). */
    public record Issued(ConnectorCredential credential, String accessToken, String refreshToken, OffsetDateTime refreshExpiresAt,
                         Optional<CertificateAuthority.Issued> certificate) {
    }

    /** Inside the transaction: the tokens, or the refusal to raise once the transaction has committed. */
    private record Outcome(Issued issued, IdentityException refusal) {
    }

    private final ConnectorCredentialRepository credentials;
    private final ConnectorRefreshTokenRepository refreshTokens;
    private final CertificateAuthority ca;
    private final TokenIssuer tokens;
    private final RevocationLog revocations;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    ConnectorCredentialIssuer(ConnectorCredentialRepository credentials, ConnectorRefreshTokenRepository refreshTokens, CertificateAuthority ca,
                              TokenIssuer tokens, RevocationLog revocations, IdentityAuditLog audit, IdentityConfig config, Clock clock) {
        this.credentials = credentials;
        this.refreshTokens = refreshTokens;
        this.ca = ca;
        this.tokens = tokens;
        this.revocations = revocations;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Provisions credentials for a connector policy-svc placed in a remote network. Refused
     * while it has live (pending or active) credentials: revoke them first.
     */
    public Uni<Provisioned> create(UUID connectorId, UUID remoteNetworkId, Optional<Duration> bootstrapTtl, String admin, String source) {
        Duration ttl = bootstrapTtl.orElse(config.tokens().connectorBootstrapLifetime());
        if (ttl.compareTo(MIN_BOOTSTRAP_TTL) < 0 || ttl.compareTo(MAX_BOOTSTRAP_TTL) > 0) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "bootstrap_ttl must be 5 minutes to 7 days"));
        }
        String access = "zgcb_" + OpaqueTokens.newToken();
        String refresh = OpaqueTokens.newToken();
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> credentials.findById(connectorId).chain(existing -> {
            if (existing != null && existing.state != State.REVOKED) {
                return Uni.createFrom().failure(new IdentityException(Kind.ALREADY_EXISTS,
                        "the connector already has live credentials: revoke them to provision it again"));
            }
            ConnectorCredential credential = existing == null ? new ConnectorCredential() : existing;
            credential.connectorId = connectorId;
            credential.remoteNetworkId = remoteNetworkId;
            credential.familyId = UUID.randomUUID();
            credential.state = State.PENDING_BOOTSTRAP;
            credential.createdAt = now;
            credential.bootstrapAccessHash = OpaqueTokens.digest(access);
            credential.bootstrapRefreshHash = OpaqueTokens.digest(refresh);
            credential.bootstrapExpiresAt = now.plus(ttl);
            credential.bootstrappedAt = null;
            credential.lastRefreshedAt = null;
            credential.certificateSerial = null;
            credential.certificateNotAfter = null;
            credential.revokedAt = null;
            credential.revocationReason = null;
            Uni<ConnectorCredential> saved = existing == null ? credentials.persist(credential) : Uni.createFrom().item(credential);
            return saved.call(() -> audit.record("connector.provisioned", true, admin, connectorId.toString(), source,
                    "remote network " + remoteNetworkId));
        })).map(credential -> provisioned(credential, access, refresh));
    }

    private Provisioned provisioned(ConnectorCredential credential, String access, String refresh) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ZEROGATE_URL", config.issuer());
        environment.put("ZEROGATE_ACCESS_TOKEN", access);
        environment.put("ZEROGATE_REFRESH_TOKEN", refresh);
        String name = "zerogate-connector-" + credential.connectorId.toString().substring(0, 8);
        StringBuilder docker = new StringBuilder("docker run -d --restart=unless-stopped --name ").append(name);
        environment.forEach((key, value) -> docker.append(" -e ").append(key).append('=').append(value));
        docker.append(" -v ").append(name).append(":/var/lib/zerogate ").append(config.connectorImage());
        return new Provisioned(credential, access, refresh, docker.toString(), environment);
    }

    /** Connectors' credentials ordered by connector id. */
    public Uni<Page<ConnectorCredential>> list(PageRequest page, Optional<UUID> remoteNetworkId, Optional<State> state) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        remoteNetworkId.ifPresent(id -> {
            where.append(" and remoteNetworkId = :network");
            params.and("network", id);
        });
        state.ifPresent(s -> {
            where.append(" and state = :state");
            params.and("state", s);
        });
        if (page.after().isPresent()) {
            where.append(" and connectorId > :after");
            params.and("after", UUID.fromString(page.afterPart(0)));
        }
        return Panache.withSession(() -> credentials.find(where + " order by connectorId", params).page(0, page.size() + 1).list())
                .map(found -> page.page(found, c -> new String[] {c.connectorId.toString()}));
    }

    /** Revokes the connector's credentials; idempotent. */
    public Uni<ConnectorCredential> revoke(UUID connectorId, String reason, String admin, String source) {
        return Panache.withTransaction(() -> credentials.findById(connectorId).chain(credential -> {
            if (credential == null) {
                return Uni.createFrom().failure(new IdentityException(Kind.NOT_FOUND, "no connector " + connectorId));
            }
            if (credential.state == State.REVOKED) {
                return Uni.createFrom().item(credential);
            }
            return revokeInside(credential, "ADMIN", reason).call(() -> audit.record("connector.revoked", true, admin,
                    connectorId.toString(), source, reason)).replaceWith(credential);
        })).call(revocations::catchUp);
    }

    /** First start of a connector: the bootstrap pair and a CSR in, certificate and tokens out. */
    public Uni<Issued> bootstrap(String accessToken, String refreshToken, byte[] csr, String source) {
        if (!OpaqueTokens.plausible(accessToken) || !OpaqueTokens.plausible(refreshToken)) {
            return Uni.createFrom().failure(unauthenticated());
        }
        PublicKey key;
        try {
            key = ca.verifiedCsrKey(csr);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, e.getMessage()));
        }
        OffsetDateTime now = now();
        return settle(Panache.withTransaction(() -> credentials.find("bootstrapAccessHash", OpaqueTokens.digest(accessToken))
                .firstResult().chain(credential -> {
                    if (credential == null || !MessageDigest.isEqual(credential.bootstrapRefreshHash, OpaqueTokens.digest(refreshToken))) {
                        return refused(unauthenticated());
                    }
                    if (credential.state == State.REVOKED) {
                        return refused(new IdentityException(Kind.PERMISSION_DENIED, "the connector's credentials are revoked"));
                    }
                    if (credential.state == State.ACTIVE) {
                        return reuse(credential, source, "bootstrap pair presented again");
                    }
                    if (!credential.bootstrapExpiresAt.isAfter(now)) {
                        return refused(new IdentityException(Kind.UNAUTHENTICATED, "the bootstrap tokens have expired; provision the connector again"));
                    }
                    credential.state = State.ACTIVE;
                    credential.bootstrappedAt = now;
                    return issue(credential, Optional.of(key))
                            .call(issued -> audit.record("connector.bootstrapped", true, credential.connectorId.toString(), null, source,
                                    "certificate " + credential.certificateSerial))
                            .map(issued -> new Outcome(issued, null));
                })));
    }

    /** Rotates a bootstrapped connector's tokens, and its certificate when {@code csr} is given. */
    public Uni<Issued> refresh(UUID connectorId, String refreshToken, Optional<byte[]> csr, String source) {
        if (!OpaqueTokens.plausible(refreshToken)) {
            return Uni.createFrom().failure(unauthenticated());
        }
        Optional<PublicKey> key;
        try {
            key = csr.map(ca::verifiedCsrKey);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, e.getMessage()));
        }
        OffsetDateTime now = now();
        return settle(Panache.withTransaction(() -> refreshTokens.findById(OpaqueTokens.digest(refreshToken)).chain(token -> {
            if (token == null || !token.connectorId.equals(connectorId)) {
                return refused(unauthenticated());
            }
            return credentials.findById(connectorId).chain(credential -> {
                if (credential.state == State.REVOKED) {
                    return refused(new IdentityException(Kind.PERMISSION_DENIED, "the connector's credentials are revoked"));
                }
                if (!token.familyId.equals(credential.familyId)) {
                    return refused(unauthenticated());
                }
                if (token.usedAt != null) {
                    return reuse(credential, source, "spent refresh token presented again");
                }
                if (!token.expiresAt.isAfter(now)) {
                    return refused(new IdentityException(Kind.UNAUTHENTICATED, "the refresh token has expired; provision the connector again"));
                }
                token.usedAt = now;
                credential.lastRefreshedAt = now;
                return issue(credential, key)
                        .call(issued -> audit.record("connector.refreshed", true, connectorId.toString(), null, source,
                                issued.certificate().map(c -> "certificate " + c.serialHex()).orElse("tokens")))
                        .map(issued -> new Outcome(issued, null));
            });
        })));
    }

    private Uni<Issued> issue(ConnectorCredential credential, Optional<PublicKey> key) {
        Optional<CertificateAuthority.Issued> certificate = key.map(k ->
                ca.issueConnectorCertificate(k, credential.connectorId.toString(), config.devices().certificateLifetime()));
        certificate.ifPresent(issued -> {
            credential.certificateSerial = issued.serialHex();
            credential.certificateNotAfter = issued.certificate().getNotAfter().toInstant().atOffset(java.time.ZoneOffset.UTC);
        });
        String refresh = OpaqueTokens.newToken();
        ConnectorRefreshToken stored = new ConnectorRefreshToken();
        stored.tokenHash = OpaqueTokens.digest(refresh);
        stored.connectorId = credential.connectorId;
        stored.familyId = credential.familyId;
        stored.issuedAt = now();
        stored.expiresAt = stored.issuedAt.plus(config.tokens().refreshTokenLifetime());
        return refreshTokens.persist(stored)
                .chain(() -> tokens.issueConnectorToken(credential.connectorId.toString(), credential.remoteNetworkId.toString(),
                        credential.familyId.toString()))
                .map(access -> new Issued(credential, access, refresh, stored.expiresAt, certificate));
    }

    private Uni<Outcome> reuse(ConnectorCredential credential, String source, String what) {
        Log.warnf("connector %s: %s; its credentials are revoked", credential.connectorId, what);
        return revokeInside(credential, "CREDENTIAL_REUSE", what)
                .call(() -> audit.record("connector.credential_reuse", false, credential.connectorId.toString(), null, source, what))
                .replaceWith(new Outcome(null, new IdentityException(Kind.UNAUTHENTICATED,
                        "these credentials were already used; the connector's credentials are revoked")));
    }

    /** Revokes inside the caller's transaction: {@code code} for the revocation log, {@code detail} for people. */
    private Uni<Void> revokeInside(ConnectorCredential credential, String code, String detail) {
        credential.state = State.REVOKED;
        credential.revokedAt = now();
        credential.revocationReason = detail;
        return revocations.append(SubjectKind.CONNECTOR, credential.connectorId, code, detail).replaceWithVoid();
    }

    /** Commits first, then raises a refusal decided inside the transaction (so a revocation sticks). */
    private Uni<Issued> settle(Uni<Outcome> committed) {
        return committed.call(outcome -> outcome.refusal() != null ? revocations.catchUp() : Uni.createFrom().voidItem())
                .map(outcome -> {
                    if (outcome.refusal() != null) {
                        throw outcome.refusal();
                    }
                    return outcome.issued();
                });
    }

    private static Uni<Outcome> refused(IdentityException refusal) {
        return Uni.createFrom().item(new Outcome(null, refusal));
    }

    private static IdentityException unauthenticated() {
        return new IdentityException(Kind.UNAUTHENTICATED, "the connector's credentials are not valid");
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
