package dev.zerogate.client.login;

import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.edge.UrlPolicy;

import java.io.IOException;

/**
 * How this CLI reaches the deployment: whom it trusts for TLS (system CAs plus
 * {@code $ZEROGATE_CA_FILE}, else the {@code --ca-file} given at login) and which URLs may carry
 * tokens (https://, http:// on loopback, any http:// after {@code --insecure-http} at login or
 * {@code ZEROGATE_INSECURE_HTTP=true}).
 */
public record ClientAccess(TrustMaterial trust, UrlPolicy urls) {

    /** For a login: the options given now, else the environment. */
    public static ClientAccess forLogin(String caFileOption, boolean insecureOption) throws IOException {
        String caFile = caFileOption != null ? caFileOption : System.getenv(TrustMaterial.CA_FILE_ENVIRONMENT);
        return new ClientAccess(TrustMaterial.fromEnvironment(caFile),
                UrlPolicy.fromEnvironment(System.getenv(UrlPolicy.INSECURE_ENVIRONMENT)).or(insecureOption));
    }

    /** For a command after login: the environment, else what the login remembered. */
    public static ClientAccess of(LoginCredentials saved) throws IOException {
        String environment = System.getenv(TrustMaterial.CA_FILE_ENVIRONMENT);
        String caFile = environment != null && !environment.isBlank() ? environment : saved == null ? null : saved.caFile();
        return new ClientAccess(TrustMaterial.fromEnvironment(caFile),
                UrlPolicy.fromEnvironment(System.getenv(UrlPolicy.INSECURE_ENVIRONMENT)).or(saved != null && saved.insecureHttp()));
    }
}
