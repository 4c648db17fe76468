package dev.zerogate.identity.oauth;

import dev.zerogate.identity.crypto.Pkce;
import dev.zerogate.identity.service.BrowserLoginService;
import dev.zerogate.identity.service.BrowserLoginService.AuthorizeRequest;
import dev.zerogate.identity.service.OAuthClients;
import dev.zerogate.identity.service.OAuthException;
import dev.zerogate.identity.service.RedirectUris;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2): code flow only,
 * PKCE with S256 required, redirect URIs matched exactly. A bad client or redirect URI is
 * shown to the person (never redirected to an unchecked URI, §4.1.2.1); every other error
 * goes back to the client as {@code error=...&state=...&iss=...}. A good request shows the
 * login page.
 */
@Path("/oauth2/authorize")
public class AuthorizeEndpoint {

    static final Set<String> SCOPES = Set.of("openid", "profile", "email", "groups", "offline_access");
    private static final int MAX_STATE_LENGTH = 512;

    private final OAuthClients clients;
    private final BrowserLoginService logins;
    private final LoginPage loginPage;

    AuthorizeEndpoint(OAuthClients clients, BrowserLoginService logins, LoginPage loginPage) {
        this.clients = clients;
        this.logins = logins;
        this.loginPage = loginPage;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> authorize(@Context UriInfo uri) {
        return handle(uri.getQueryParameters());
    }

    /** OpenID Connect Core §3.1.2.1: the same request may come as a form post. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> authorizeByPost(MultivaluedMap<String, String> form) {
        return handle(form);
    }

    private Uni<Response> handle(MultivaluedMap<String, String> params) {
        String clientId;
        String redirectUri;
        try {
            clientId = OAuthForms.single(params, "client_id");
            redirectUri = OAuthForms.single(params, "redirect_uri");
        } catch (OAuthException e) {
            return Uni.createFrom().item(errorPage(e.getMessage()));
        }
        List<String> allowed = clients.redirectUris(clientId).orElse(null);
        if (allowed == null) {
            return Uni.createFrom().item(errorPage("unknown client"));
        }
        if (!RedirectUris.allowed(allowed, redirectUri)) {
            return Uni.createFrom().item(errorPage("the redirect_uri is not registered for this client"));
        }
        String state = null;
        try {
            state = OAuthForms.single(params, "state");
            AuthorizeRequest request = validated(params, clientId, redirectUri, state);
            return logins.startAuthorize(request).map(loginId -> loginPage.render(200, loginId, null, URI.create(redirectUri)));
        } catch (OAuthException e) {
            String safeState = state != null && state.length() <= MAX_STATE_LENGTH ? state : null;
            URI location = logins.redirect(redirectUri, "error", e.error(), safeState);
            location = URI.create(location + "&error_description=" + java.net.URLEncoder.encode(e.getMessage(), java.nio.charset.StandardCharsets.UTF_8));
            return Uni.createFrom().item(Response.seeOther(location).header("Cache-Control", "no-store").build());
        }
    }

    private static AuthorizeRequest validated(MultivaluedMap<String, String> params, String clientId, String redirectUri, String state) {
        if (params.containsKey("request") || params.containsKey("request_uri")) {
            throw new OAuthException("request_not_supported", "request objects are not supported", 400);
        }
        String responseType = OAuthForms.single(params, "response_type");
        if (responseType == null) {
            throw OAuthException.invalidRequest("response_type is required");
        }
        if (!"code".equals(responseType)) {
            throw new OAuthException("unsupported_response_type", "only response_type=code is supported", 400);
        }
        if (state != null && state.length() > MAX_STATE_LENGTH) {
            throw OAuthException.invalidRequest("state is longer than " + MAX_STATE_LENGTH + " characters");
        }
        String challenge = OAuthForms.single(params, "code_challenge");
        String method = OAuthForms.single(params, "code_challenge_method");
        if (challenge == null) {
            throw OAuthException.invalidRequest("code_challenge is required (PKCE, S256)");
        }
        if (!Pkce.S256.equals(method)) {
            throw OAuthException.invalidRequest("code_challenge_method must be S256");
        }
        if (!Pkce.wellFormedChallenge(challenge)) {
            throw OAuthException.invalidRequest("code_challenge must be 43 base64url characters");
        }
        String scope = OAuthForms.single(params, "scope");
        List<String> scopes = scope == null ? List.of() : Arrays.stream(scope.split(" ")).filter(s -> !s.isEmpty()).distinct().toList();
        for (String s : scopes) {
            if (!SCOPES.contains(s)) {
                throw new OAuthException("invalid_scope", "unknown scope: " + (s.length() > 40 ? s.substring(0, 40) : s), 400);
            }
        }
        String nonce = OAuthForms.single(params, "nonce");
        if (nonce != null && nonce.length() > MAX_STATE_LENGTH) {
            throw OAuthException.invalidRequest("nonce is longer than " + MAX_STATE_LENGTH + " characters");
        }
        if ("none".equals(OAuthForms.single(params, "prompt"))) {
            // No single sign-on session is kept in the browser: a login is always needed.
            throw new OAuthException("login_required", "the user must log in", 400);
        }
        return new AuthorizeRequest(clientId, redirectUri, String.join(" ", scopes), state, nonce, challenge);
    }

    private static Response errorPage(String message) {
        return Pages.page(400, Pages.shell("Login request refused",
                "<p class=\"error\">" + Pages.escape(message) + "</p><p>Go back to the application and try again.</p>"));
    }
}
