package dev.zerogate.edge;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Fetches a deployment's discovery document from the one URL a person was given. The URL is
 * checked against the {@link UrlPolicy} before anything is sent, and so is every URL in the
 * answer.
 */
public final class DiscoveryClient {

    private final TrustMaterial trust;
    private final UrlPolicy policy;

    public DiscoveryClient(TrustMaterial trust, UrlPolicy policy) {
        this.trust = trust;
        this.policy = policy;
    }

    /** A JDK HTTP client trusting {@code trust}, as both the CLI and the connector call identity-svc. */
    public static HttpClient httpClient(TrustMaterial trust) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(trust.sslContext()).build();
    }

    /**
     * The document of the deployment at {@code url}.
     *
     * @param source where {@code url} came from, for messages (e.g. "ZEROGATE_URL")
     * @throws UrlPolicy.RefusedUrlException before any connection, when {@code url} would carry tokens in clear
     * @throws IOException                   naming the URL: unreachable, a certificate problem, not a zerogate deployment
     */
    public DeploymentConfiguration fetch(String url, String source) throws IOException, InterruptedException {
        URI base = policy.check(url, source);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + DeploymentConfiguration.PATH))
                .timeout(Duration.ofSeconds(15))
                .header("Accept", "application/json")
                .GET().build();
        HttpResponse<String> response;
        try {
            response = httpClient(trust).send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("cannot reach " + base + ": connection refused", e);
        } catch (HttpTimeoutException e) {
            throw new IOException(base + " did not answer in time", e);
        } catch (IOException e) {
            throw new IOException(TrustMaterial.certificateProblem(e).map(problem -> "cannot reach " + base + " securely: " + problem)
                    .orElse("cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())), e);
        }
        if (response.statusCode() == 404) {
            throw new IOException(base + " serves no " + DeploymentConfiguration.PATH
                    + ": it is not a zerogate deployment's URL, or its identity-svc predates the discovery document");
        }
        if (response.statusCode() != 200) {
            throw new IOException(base + " answered HTTP " + response.statusCode() + " for " + DeploymentConfiguration.PATH);
        }
        return DeploymentConfiguration.parse(response.body(), base, policy);
    }
}
