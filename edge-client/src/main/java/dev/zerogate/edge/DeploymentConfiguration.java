package dev.zerogate.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The discovery document a deployment serves at
 * {@code <url>/.well-known/zerogate-configuration} (ADR 0016): where identity, policy and the
 * relays are, and each relay's preamble key.
 */
public record DeploymentConfiguration(String issuer, URI identityUrl, URI policyUrl, List<PublishedRelay> relays,
                                      List<Integer> tunnelProtocolVersions) {

    public static final String PATH = "/.well-known/zerogate-configuration";
    private static final ObjectMapper JSON = new ObjectMapper();

    public DeploymentConfiguration {
        relays = List.copyOf(relays);
        tunnelProtocolVersions = List.copyOf(tunnelProtocolVersions);
    }

    /** The document is not one: not JSON, a field missing, a URL or key malformed, or a URL the policy refuses. */
    public static final class MalformedException extends IOException {
        public MalformedException(String message) {
            super(message);
        }
    }

    /**
     * Parses the document fetched from {@code from}, checking every URL in it against {@code policy}
     * (a document is data from the network: an http:// URL in it is refused like one typed).
     */
    public static DeploymentConfiguration parse(String json, URI from, UrlPolicy policy) throws MalformedException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new MalformedException("the discovery document at " + from + PATH + " is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedException("the discovery document at " + from + PATH + " is not a JSON object");
        }
        try {
            String issuer = text(root, "issuer", from);
            URI identity = policy.check(text(root, "identity_url", from), "the discovery document's identity_url");
            URI policyUrl = policy.check(text(root, "policy_url", from), "the discovery document's policy_url");
            List<PublishedRelay> relays = new ArrayList<>();
            for (JsonNode relay : root.path("relays")) {
                URI url = policy.check(text(relay, "url", from), "the discovery document's relay");
                relays.add(new PublishedRelay(url, text(relay, "preamble_key", from)));
            }
            List<Integer> versions = new ArrayList<>();
            root.path("tunnel_protocol_versions").forEach(v -> versions.add(v.asInt()));
            return new DeploymentConfiguration(issuer, identity, policyUrl, relays, versions);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    private static String text(JsonNode node, String field, URI from) throws MalformedException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new MalformedException("the discovery document at " + from + PATH + " has no " + field);
        }
        return value.asText();
    }
}
