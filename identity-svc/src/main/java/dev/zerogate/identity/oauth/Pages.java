package dev.zerogate.identity.oauth;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/**
 * The few HTML pages identity-svc serves (device verification, first-admin setup): one shell,
 * escaping of everything that is not ours, and headers that forbid framing, caching, scripts
 * and referrers.
 */
final class Pages {

    private Pages() {
    }

    static Response page(int status, String body) {
        return page(status, body, null);
    }

    /**
     * A page whose form may lead (by a redirect after submission, which browsers hold to
     * {@code form-action}) to {@code formTarget}'s origin as well as ours.
     */
    static Response page(int status, String body, java.net.URI formTarget) {
        String formAction = "'self'" + (formTarget == null || formTarget.getScheme() == null || formTarget.getAuthority() == null
                ? "" : " " + formTarget.getScheme() + "://" + formTarget.getAuthority());
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(body)
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action " + formAction
                        + "; frame-ancestors 'none'")
                .header("X-Frame-Options", "DENY")
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .build();
    }

    static String shell(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title><meta name=\"viewport\" content=\"width=device-width\"><style>body{font-family:sans-serif;max-width:28em;margin:3em auto}"
                + "label{display:block;margin:.8em 0}input{display:block;width:100%;padding:.4em}.error{color:#b00}</style></head><body><h1>"
                + escape(title) + "</h1>" + body + "</body></html>";
    }

    /** A form value, or "" when absent (OAuthForms refuses repeated and over-long values). */
    static String value(MultivaluedMap<String, String> form, String name) {
        String value = OAuthForms.single(form, name);
        return value == null ? "" : value;
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
