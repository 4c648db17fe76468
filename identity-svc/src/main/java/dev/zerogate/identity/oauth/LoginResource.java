package dev.zerogate.identity.oauth;

import dev.zerogate.identity.LoginRequest;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.service.BrowserLoginService;
import dev.zerogate.identity.service.BrowserLoginService.Outcome;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.identity.service.LoginFailedException;
import dev.zerogate.identity.service.UpstreamLoginService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/**
 * The steps of a browser login after the authorization endpoint or the device page: the
 * built-in account form, the round trip to an upstream provider and its callback, and the
 * confirmation of a device login approved upstream.
 */
@Path("/login")
public class LoginResource {

    static final String EXPIRED = "This login has expired or was already used. Go back to the application and start again.";

    private final BrowserLoginService logins;
    private final LocalAccountService accounts;
    private final UpstreamLoginService upstream;
    private final LoginPage loginPage;

    LoginResource(BrowserLoginService logins, LocalAccountService accounts, UpstreamLoginService upstream, LoginPage loginPage) {
        this.logins = logins;
        this.accounts = accounts;
        this.upstream = upstream;
        this.loginPage = loginPage;
    }

    /** The built-in account form of the login page. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> login(MultivaluedMap<String, String> form, @Context HttpServerRequest http) {
        String loginId = Pages.value(form, "login_request");
        String username = Pages.value(form, "username");
        char[] password = Pages.value(form, "password").toCharArray();
        String otp = Pages.value(form, "otp");
        String source = OAuthForms.source(http);
        return logins.open(loginId).chain(request -> {
            if (request == null || request.purpose != LoginRequest.Purpose.AUTHORIZE) {
                return Uni.createFrom().item(gone());
            }
            URI clientRedirect = URI.create(request.redirectUri);
            return accounts.authenticate(username, password, otp, source)
                    .chain(login -> logins.complete(OpaqueTokens.digest(loginId), login, source))
                    .map(LoginResource::respond)
                    .onFailure(LoginFailedException.class)
                    .recoverWithItem(e -> loginPage.render(401, loginId, e.getMessage(), clientRedirect));
        });
    }

    /**
     * Sends the browser to an upstream provider, for a browser login ({@code login_request})
     * or a device login ({@code user_code}).
     */
    @GET
    @Path("/upstream/{provider}")
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> toUpstream(@PathParam("provider") String provider, @QueryParam("login_request") String loginId,
                                    @QueryParam("user_code") String userCode) {
        Uni<byte[]> requestIdHash;
        if (loginId != null) {
            requestIdHash = logins.open(loginId).map(request -> request == null ? null : request.idHash);
        } else if (userCode != null) {
            requestIdHash = logins.startDevice(userCode).map(id -> id.map(OpaqueTokens::digest).orElse(null));
        } else {
            return Uni.createFrom().item(gone());
        }
        return requestIdHash.chain(hash -> hash == null
                ? Uni.createFrom().item(gone())
                : upstream.begin(provider, hash).map(location -> Response.seeOther(location).header("Cache-Control", "no-store").build()))
                .onFailure(LoginFailedException.class).recoverWithItem(e -> failed(e.getMessage()));
    }

    /** Where every upstream provider sends the browser back. */
    @GET
    @Path("/upstream/callback")
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> fromUpstream(@QueryParam("state") String state, @QueryParam("code") String code,
                                      @QueryParam("error") String error, @Context HttpServerRequest http) {
        if (error != null) {
            return Uni.createFrom().item(failed("The identity provider did not log you in ("
                    + (error.length() > 64 ? error.substring(0, 64) : error) + ")."));
        }
        String source = OAuthForms.source(http);
        return upstream.finish(state, code, source)
                .chain(finished -> logins.complete(finished.loginRequestId(), finished.login(), source))
                .map(LoginResource::respond)
                .onFailure(LoginFailedException.class).recoverWithItem(e -> failed(e.getMessage()));
    }

    /** The person confirms (or refuses) a device login they approved through an upstream provider. */
    @POST
    @Path("/confirm")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> confirm(MultivaluedMap<String, String> form, @Context HttpServerRequest http) {
        boolean approve = "approve".equals(Pages.value(form, "action"));
        return logins.confirmDevice(Pages.value(form, "confirm"), approve, OAuthForms.source(http)).map(LoginResource::respond);
    }

    private static Response respond(Outcome outcome) {
        if (outcome instanceof Outcome.Redirect redirect) {
            return Response.seeOther(redirect.location()).header("Cache-Control", "no-store").build();
        }
        if (outcome instanceof Outcome.ConfirmDevice confirm) {
            return Pages.page(200, Pages.shell("Allow this device?",
                    "<p>You are logged in as <b>" + Pages.escape(confirm.username()) + "</b>.</p>"
                            + "<p>Allow the device showing the code <b>" + Pages.escape(confirm.userCode())
                            + "</b> to use zerogate as you? Only allow it if you started <code>zerogate login</code> yourself "
                            + "and the code matches.</p>"
                            + "<form method=\"post\" action=\"/login/confirm\">"
                            + "<input type=\"hidden\" name=\"confirm\" value=\"" + Pages.escape(confirm.confirmToken()) + "\">"
                            + "<button name=\"action\" value=\"approve\">Allow this device</button> "
                            + "<button name=\"action\" value=\"deny\">Deny</button></form>"));
        }
        if (outcome instanceof Outcome.DeviceDecided decided) {
            return Pages.page(200, DeviceVerificationPage.done(decided.approved()));
        }
        return gone();
    }

    private static Response gone() {
        return failed(EXPIRED);
    }

    private static Response failed(String message) {
        return Pages.page(400, Pages.shell("Login failed", "<p class=\"error\">" + Pages.escape(message) + "</p>"));
    }
}
