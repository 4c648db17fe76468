package dev.zerogate.client.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerogate.edge.DiscoveryClient;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.edge.UrlPolicy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The CLI's side of identity-svc's OAuth endpoints (RFC 8628 device login, RFC 7009 revocation). */
public final class IdentityClient {

    public static final String CLIENT_ID = "zerogate-cli";
    static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

    /** The answer to starting a device login. */
    public record DeviceLogin(String deviceCode, String userCode, String verificationUri,
                              String verificationUriComplete, long expiresIn, long interval) {
        @Override
        public String toString() {
            return "DeviceLogin[" + userCode + "]";
        }
    }

    /** A token-endpoint answer: tokens, or an OAuth error code with its description. */
    public record TokenAnswer(String accessToken, String refreshToken, long expiresIn, String error, String errorDescription) {
        boolean ok() {
            return error == null;
        }

        @Override
        public String toString() {
            return ok() ? "TokenAnswer[tokens]" : "TokenAnswer[" + error + "]";
        }
    }

    /** identity-svc could not be reached, or answered something that is not OAuth. */
    public static final class UnreachableException extends IOException {
        public UnreachableException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String server;

    /**
     * A client of identity-svc at {@code server}.
     *
     * @throws UnreachableException before anything is sent, when {@code server} would carry tokens in clear
     */
    public IdentityClient(String server, ClientAccess access) throws UnreachableException {
        try {
            this.server = access.urls().check(server, "identity-svc's URL").toString();
        } catch (UrlPolicy.RefusedUrlException e) {
            throw new UnreachableException(e.getMessage());
        }
        this.http = DiscoveryClient.httpClient(access.trust());
    }

    public DeviceLogin startDeviceLogin(String deviceKeyThumbprint) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", CLIENT_ID);
        form.put("zg_device_key", deviceKeyThumbprint);
        JsonNode body = post("/oauth2/device_authorization", form, 200);
        return new DeviceLogin(body.path("device_code").asText(), body.path("user_code").asText(),
                body.path("verification_uri").asText(), body.path("verification_uri_complete").asText(),
                body.path("expires_in").asLong(), Math.max(1, body.path("interval").asLong(5)));
    }

    public TokenAnswer pollDeviceLogin(String deviceCode) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", DEVICE_CODE_GRANT);
        form.put("device_code", deviceCode);
        form.put("client_id", CLIENT_ID);
        return token(form);
    }

    public TokenAnswer refresh(String refreshToken) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("client_id", CLIENT_ID);
        return token(form);
    }

    /** Ends the session of {@code token} (RFC 7009); the server answers 200 whatever the token. */
    public void revoke(String token) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", token);
        form.put("client_id", CLIENT_ID);
        post("/oauth2/revoke", form, 200);
    }

    private TokenAnswer token(Map<String, String> form) throws IOException, InterruptedException {
        HttpResponse<String> response = send("/oauth2/token", form);
        JsonNode body = parse(response);
        if (response.statusCode() == 200) {
            return new TokenAnswer(body.path("access_token").asText(), body.path("refresh_token").asText(),
                    body.path("expires_in").asLong(), null, null);
        }
        if (!body.has("error")) {
            throw new UnreachableException("identity-svc answered HTTP " + response.statusCode() + " without an OAuth error");
        }
        return new TokenAnswer(null, null, 0, body.path("error").asText(), body.path("error_description").asText(""));
    }

    private JsonNode post(String path, Map<String, String> form, int expected) throws IOException, InterruptedException {
        HttpResponse<String> response = send(path, form);
        JsonNode body = parse(response);
        if (response.statusCode() != expected) {
            String error = body.path("error_description").asText(body.path("error").asText("HTTP " + response.statusCode()));
            throw new UnreachableException("identity-svc refused: " + error);
        }
        return body;
    }

    private HttpResponse<String> send(String path, Map<String, String> form) throws IOException, InterruptedException {
        String encoded = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(server + path))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(encoded))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new UnreachableException("cannot reach identity-svc at " + server + ": connection refused");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new UnreachableException("identity-svc at " + server + " did not answer in time");
        } catch (IOException e) {
            throw new UnreachableException("cannot reach identity-svc at " + server + ": " + TrustMaterial.certificateProblem(e)
                    .orElse(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static JsonNode parse(HttpResponse<String> response) throws UnreachableException {
        if (response.body() == null || response.body().isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UnreachableException("identity-svc answered HTTP " + response.statusCode() + " with something that is not JSON");
        }
    }
}
