package dev.zerogate.runkit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

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

/**
 * A built-in account signing in to identity-svc through its public pages and OAuth endpoints,
 * exactly as a person with the CLI and a browser does: the first admin's setup form, and the
 * device login approved with the account's password. The local run uses it to provision its
 * demo as the admin it created; benchmarks and tests use it to approve a CLI's login.
 *
 * <p>Errors are {@link IOException}s that name the step and identity-svc's answer; no token or
 * password is ever part of a message.
 */
public final class IdentityLogin {

    /** The CLI's public OAuth client: the device login the local run performs is the CLI's. */
    public static final String CLI_CLIENT_ID = "zerogate-cli";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final URI identity;

    private IdentityLogin(URI identity) {
        this.identity = identity;
    }

    /** identity-svc at {@code identityUrl} (its issuer URL, e.g. {@code http://127.0.0.1:7401}). */
    public static IdentityLogin at(String identityUrl) {
        return new IdentityLogin(URI.create(identityUrl.endsWith("/") ? identityUrl : identityUrl + "/"));
    }

    /** Creates the first admin with the one-time setup token identity-svc printed. */
    public void createFirstAdmin(String setupToken, String username, String password) throws IOException {
        HttpResponse<String> answer = post("setup", Map.of("token", setupToken, "username", username,
                "password", password, "confirm", password));
        if (answer.statusCode() != 200) {
            throw new IOException("creating the first admin failed: HTTP " + answer.statusCode());
        }
    }

    /**
     * A device login of the CLI, approved at once with the account's password; returns the
     * access token. {@code extra} goes into the device authorization request (e.g. a device key
     * thumbprint).
     */
    public String deviceLogin(String username, String password, Map<String, String> extra) throws IOException {
        Map<String, String> start = new LinkedHashMap<>(extra);
        start.put("client_id", CLI_CLIENT_ID);
        JsonObject started = json("starting a device login", post("oauth2/device_authorization", start));
        approve(string(started, "user_code"), username, password);
        JsonObject tokens = json("redeeming the device login", post("oauth2/token", Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                "device_code", string(started, "device_code"), "client_id", CLI_CLIENT_ID)));
        return string(tokens, "access_token");
    }

    /** Approves the device login showing {@code userCode} as the account would on the verification page. */
    public void approve(String userCode, String username, String password) throws IOException {
        HttpResponse<String> answer = post("device", Map.of("user_code", userCode, "username", username,
                "password", password, "action", "approve"));
        if (answer.statusCode() != 200) {
            throw new IOException("approving the device login failed: HTTP " + answer.statusCode());
        }
    }

    private HttpResponse<String> post(String path, Map<String, String> form) throws IOException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(identity.resolve(path)).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling identity-svc", e);
        }
    }

    private static JsonObject json(String step, HttpResponse<String> answer) throws IOException {
        JsonObject body;
        try {
            JsonElement parsed = JsonParser.parseString(answer.body());
            body = parsed.isJsonObject() ? parsed.getAsJsonObject() : new JsonObject();
        } catch (JsonParseException e) {
            body = new JsonObject();
        }
        if (answer.statusCode() != 200) {
            // OAuth errors name themselves (error, error_description) and carry no secret.
            throw new IOException(step + " failed: HTTP " + answer.statusCode()
                    + (body.has("error") ? " " + body.get("error").getAsString() : ""));
        }
        return body;
    }

    private static String string(JsonObject body, String member) throws IOException {
        JsonElement value = body.get(member);
        if (value == null || !value.isJsonPrimitive()) {
            throw new IOException("identity-svc's answer has no " + member);
        }
        return value.getAsString();
    }
}
