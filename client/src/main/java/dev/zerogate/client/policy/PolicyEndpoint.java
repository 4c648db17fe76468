package dev.zerogate.client.policy;

import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.edge.UrlPolicy;

/**
 * Where policy-svc's gRPC API is, for {@code resources}, {@code admin} and tunnels: the first
 * of {@code --policy-url}, {@code $ZEROGATE_POLICY_URL}, and the URL saved at login (the
 * discovery document's {@code policy_url}, or the login's {@code --policy-url}). Every one is
 * checked against the {@link UrlPolicy} before anything is sent.
 *
 * <p>{@code http://} means plaintext HTTP/2 (h2c), {@code https://} TLS; the URL has no path,
 * since gRPC methods live at the root.
 */
public final class PolicyEndpoint {

    public static final String ENVIRONMENT = "ZEROGATE_POLICY_URL";

    /** No usable URL: the person has to give one. A usage error (exit 2), not a failure of the call. */
    public static final class UnknownException extends Exception {
        public UnknownException(String message) {
            super(message);
        }
    }

    private PolicyEndpoint() {
    }

    /**
     * The URL to call, normalised (no trailing slash).
     *
     * @param option      {@code --policy-url}, or null
     * @param environment {@code $ZEROGATE_POLICY_URL}, or null
     * @param saved       the credentials of the login
     * @param urls        which URLs may carry the token
     */
    public static String resolve(String option, String environment, LoginCredentials saved, UrlPolicy urls) throws UnknownException {
        try {
            if (option != null) {
                return urls.check(option, "--policy-url").toString();
            }
            if (environment != null && !environment.isBlank()) {
                return urls.check(environment, ENVIRONMENT).toString();
            }
            if (saved.policyUrl() != null && !saved.policyUrl().isBlank()) {
                return urls.check(saved.policyUrl(), "the saved policy URL").toString();
            }
        } catch (UrlPolicy.RefusedUrlException e) {
            throw new UnknownException(e.getMessage());
        }
        throw new UnknownException("where is policy-svc? The login saved no policy URL: pass --policy-url URL or set " + ENVIRONMENT
                + ", or log in again: zerogate login <your zerogate URL>");
    }
}
