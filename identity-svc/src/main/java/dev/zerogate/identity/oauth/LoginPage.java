package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.UpstreamProviders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The login page of a browser login: a built-in account form and one link per upstream
 * provider. Upstream choices are plain links, not forms, so that the redirect to the provider
 * is not subject to the page's {@code form-action} policy.
 */
@ApplicationScoped
public class LoginPage {

    private final UpstreamProviders upstreams;

    LoginPage(UpstreamProviders upstreams) {
        this.upstreams = upstreams;
    }

    /** The page for login request {@code loginId}; {@code clientRedirect} is where success leads. */
    Response render(int status, String loginId, String error, URI clientRedirect) {
        StringBuilder body = new StringBuilder();
        if (error != null) {
            body.append("<p class=\"error\">").append(Pages.escape(error)).append("</p>");
        }
        for (Map.Entry<String, String> upstream : upstreams.choices()) {
            body.append("<p><a class=\"upstream\" href=\"/login/upstream/").append(Pages.escape(encode(upstream.getKey())))
                    .append("?login_request=").append(Pages.escape(loginId)).append("\">Continue with ")
                    .append(Pages.escape(upstream.getValue())).append("</a></p>");
        }
        body.append("<form method=\"post\" action=\"/login\">")
                .append("<input type=\"hidden\" name=\"login_request\" value=\"").append(Pages.escape(loginId)).append("\">")
                .append("<label>Username<input name=\"username\" autocomplete=\"username\" required></label>")
                .append("<label>Password<input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>")
                .append("<label>One-time code (if your account has one)<input name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9]{6}\"></label>")
                .append("<button>Log in</button></form>");
        return Pages.page(status, Pages.shell("Log in to zerogate", body.toString()), clientRedirect);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
