package dev.zerogate.servicekit.grant;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An access grant whose signature, type, issuer, audience, lifetime and claims held. Whether it
 * covers a given flow is {@link AccessGrantVerifier#checkFlow}'s question.
 *
 * @param decisionId    {@code jti}: the id of the decision and of its audit event
 * @param subject       {@code sub}: the user or service account
 * @param sessionId     {@code sid}: the login session
 * @param networkId     {@code zg_net}: the remote network
 * @param resourceId    {@code zg_res}: the matched resource
 * @param ruleId        {@code zg_rule}: the rule that permitted
 * @param destination   {@code zg_dst}: the destination as the client requested it
 * @param protocol      {@code zg_proto}: {@code tcp}, {@code udp} or {@code icmp}
 * @param port          {@code zg_port}: 1 to 65535, or 0 for ICMP
 * @param deviceId      {@code zg_dev}, when the caller has a device
 * @param keyThumbprint {@code cnf.jkt}: the key the flow's TLS session must prove
 * @param issuedAt      {@code iat}
 * @param expiresAt     {@code exp}
 */
public record VerifiedGrant(String decisionId, String subject, String sessionId, String networkId, String resourceId,
                            String ruleId, String destination, String protocol, int port, Optional<String> deviceId,
                            String keyThumbprint, Instant issuedAt, Instant expiresAt) {

    public VerifiedGrant {
        Objects.requireNonNull(deviceId, "deviceId");
    }
}
