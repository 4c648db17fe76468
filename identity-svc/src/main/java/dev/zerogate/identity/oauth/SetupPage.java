package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.FirstAdminSetup;
import dev.zerogate.identity.service.LoginFailedException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/** The page behind the one-time setup link: the first admin chooses a username and password. */
@Path("/setup")
public class SetupPage {

    private final FirstAdminSetup setup;

    SetupPage(FirstAdminSetup setup) {
        this.setup = setup;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> form(@QueryParam("token") String token) {
        return setup.isValid(token).map(valid -> valid
                ? Pages.page(200, form(token, null))
                : Pages.page(404, Pages.shell("Link not valid", "<p>This setup link is unknown, used or expired. "
                        + "Restart identity-svc while no admin exists to print a new one.</p>")));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> submit(MultivaluedMap<String, String> form) {
        String token = Pages.value(form, "token");
        String username = Pages.value(form, "username");
        String password = Pages.value(form, "password");
        if (!password.equals(Pages.value(form, "confirm"))) {
            return Uni.createFrom().item(Pages.page(400, form(token, "The two passwords differ.")));
        }
        return setup.createAdmin(token, username, password.toCharArray())
                .map(user -> Pages.page(200, Pages.shell("Admin created",
                        "<p>" + Pages.escape(user.username) + " is zerogate's first admin. Log in with <code>zerogate login</code>.</p>")))
                .onFailure(LoginFailedException.class)
                .recoverWithItem(e -> Pages.page(400, form(token, e.getMessage())));
    }

    private static String form(String token, String error) {
        return Pages.shell("Create zerogate's first admin",
                (error == null ? "" : "<p class=\"error\">" + Pages.escape(error) + "</p>")
                        + "<form method=\"post\" action=\"/setup\">"
                        + "<input type=\"hidden\" name=\"token\" value=\"" + Pages.escape(token) + "\">"
                        + "<label>Username<input name=\"username\" value=\"admin\" autocomplete=\"username\" required></label>"
                        + "<label>Password (at least " + FirstAdminSetup.MIN_PASSWORD_LENGTH + " characters)"
                        + "<input type=\"password\" name=\"password\" autocomplete=\"new-password\" required></label>"
                        + "<label>Password again<input type=\"password\" name=\"confirm\" autocomplete=\"new-password\" required></label>"
                        + "<button>Create admin</button></form>");
    }
}
