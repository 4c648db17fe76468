package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.DeviceLoginService;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.identity.service.LoginFailedException;
import dev.zerogate.identity.service.UpstreamProviders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;


/**
 * The verification page of a device login (RFC 8628 §3.3): the person enters (or finds
 * pre-filled) the code the CLI shows, logs in with a built-in account, and approves or denies.
 * Served with a strict Content-Security-Policy and never framed (no clickjacking).
 */
@Path("/device")
public class DeviceVerificationPage {

    static final String UNKNOWN_CODE = "That code is unknown or has expired. Start again with zerogate login.";

    private final DeviceLoginService deviceLogins;
    private final LocalAccountService accounts;
    private final UpstreamProviders upstreams;

    DeviceVerificationPage(DeviceLoginService deviceLogins, LocalAccountService accounts, UpstreamProviders upstreams) {
        this.deviceLogins = deviceLogins;
        this.accounts = accounts;
        this.upstreams = upstreams;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response form(@QueryParam("user_code") String userCode) {
        return Pages.page(200, formHtml(userCode == null ? "" : userCode, null));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> submit(MultivaluedMap<String, String> form, @Context HttpServerRequest request) {
        String userCode = Pages.value(form, "user_code");
        String username = Pages.value(form, "username");
        char[] password = Pages.value(form, "password").toCharArray();
        String otp = Pages.value(form, "otp");
        boolean approve = !"deny".equals(Pages.value(form, "action"));
        String source = OAuthForms.source(request);
        return deviceLogins.isPending(userCode).chain(pending -> {
            if (!pending) {
                return Uni.createFrom().item(Pages.page(400, formHtml(userCode, UNKNOWN_CODE)));
            }
            return accounts.authenticate(username, password, otp, source)
                    .chain(login -> deviceLogins.decide(userCode, login.user(), login.amr(), approve, source))
                    .map(decided -> decided
                            ? Pages.page(200, done(approve))
                            : Pages.page(400, formHtml(userCode, UNKNOWN_CODE)))
                    .onFailure(LoginFailedException.class)
                    .recoverWithItem(e -> Pages.page(401, formHtml(userCode, e.getMessage())));
        });
    }

    /**
     * The form; with a code already known (the link the CLI printed), also one link per
     * upstream provider (which ends on a confirmation page, see LoginResource).
     */
    private String formHtml(String userCode, String error) {
        StringBuilder upstreamLinks = new StringBuilder();
        if (!userCode.isEmpty()) {
            for (var upstream : upstreams.choices()) {
                upstreamLinks.append("<p><a class=\"upstream\" href=\"/login/upstream/").append(Pages.escape(LoginPage.encode(upstream.getKey())))
                        .append("?user_code=").append(Pages.escape(LoginPage.encode(userCode))).append("\">Continue with ")
                        .append(Pages.escape(upstream.getValue())).append("</a></p>");
            }
        }
        return Pages.shell("Log in to zerogate",
                (error == null ? "" : "<p class=\"error\">" + Pages.escape(error) + "</p>") + upstreamLinks
                        + "<form method=\"post\" action=\"/device\">"
                        + "<label>Code shown by zerogate login<input name=\"user_code\" value=\"" + Pages.escape(userCode)
                        + "\" autocomplete=\"off\" required></label>"
                        + "<label>Username<input name=\"username\" autocomplete=\"username\" required></label>"
                        + "<label>Password<input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>"
                        + "<label>One-time code (if your account has one)<input name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9]{6}\"></label>"
                        + "<button name=\"action\" value=\"approve\">Log in and allow this device</button> "
                        + "<button name=\"action\" value=\"deny\">Deny</button>"
                        + "</form>"
                        + "<p>Only continue if you started <code>zerogate login</code> yourself and the code matches.</p>");
    }

    static String done(boolean approved) {
        return Pages.shell(approved ? "Device allowed" : "Device denied", approved
                ? "<p>You are logged in. You can close this page and return to the terminal.</p>"
                : "<p>The login was refused. Nothing was granted.</p>");
    }
}
