package dev.zerogate.testkit.oidc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Just enough of a web browser to log in through HTML pages in tests: cookies, redirects
 * followed by hand (so a test can stop at a redirect to a client's callback), forms and
 * links. No scripts. Pages are parsed with regular expressions, which suits the simple
 * server-rendered forms of identity-svc and oidc-provider.
 */
public final class Browser {

    private static final int MAX_REDIRECTS = 10;
    private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern LINK = Pattern.compile("<a\\b([^>]*)>(.*?)</a>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z_:-]+)\\s*=\\s*(\"([^\"]*)\"|'([^']*)')");

    /** A page as the browser ended on it. */
    public record Page(URI uri, int status, String body, HttpHeaders headers) {
    }

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** GETs {@code uri} and follows redirects. */
    public Page get(URI uri) {
        return follow(send(HttpRequest.newBuilder(uri).GET()), null).page();
    }

    /** GETs {@code uri} and follows redirects until one leads to {@code prefix}; returns that target, not requested. */
    public URI getUntilRedirectTo(URI uri, String prefix) {
        return stoppedAt(follow(send(HttpRequest.newBuilder(uri).GET()), prefix), prefix);
    }

    /** Submits the page's first form with {@code fields} added or overriding its inputs, and follows redirects. */
    public Page submit(Page page, Map<String, String> fields) {
        return follow(send(formRequest(page, fields)), null).page();
    }

    /** Like {@link #submit} but stops at the first redirect to {@code prefix} and returns its target. */
    public URI submitUntilRedirectTo(Page page, Map<String, String> fields, String prefix) {
        return stoppedAt(follow(send(formRequest(page, fields)), prefix), prefix);
    }

    /** Follows the first link whose text contains {@code text}. */
    public Page followLink(Page page, String text) {
        return get(linkTarget(page, text));
    }

    /** Like {@link #followLink} but stops at the first redirect to {@code prefix}. */
    public URI followLinkUntilRedirectTo(Page page, String text, String prefix) {
        return getUntilRedirectTo(linkTarget(page, text), prefix);
    }

    private record Followed(Page page, Optional<URI> stoppedAt) {
    }

    private Followed follow(HttpResponse<String> response, String stopPrefix) {
        for (int hop = 0; ; hop++) {
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) || location.isEmpty()) {
                return new Followed(new Page(response.uri(), status, response.body(), response.headers()), Optional.empty());
            }
            URI target = response.uri().resolve(location.get());
            if (stopPrefix != null && target.toString().startsWith(stopPrefix)) {
                return new Followed(new Page(response.uri(), status, response.body(), response.headers()), Optional.of(target));
            }
            if (hop >= MAX_REDIRECTS) {
                throw new IllegalStateException("more than " + MAX_REDIRECTS + " redirects, last to " + target);
            }
            response = send(HttpRequest.newBuilder(target).GET());
        }
    }

    private static URI stoppedAt(Followed followed, String prefix) {
        return followed.stoppedAt().orElseThrow(() -> new AssertionError("expected a redirect to " + prefix
                + " but ended at " + followed.page().uri() + " (HTTP " + followed.page().status() + "):\n"
                + abbreviated(followed.page().body())));
    }

    private HttpRequest.Builder formRequest(Page page, Map<String, String> fields) {
        Matcher form = FORM.matcher(page.body());
        if (!form.find()) {
            throw new AssertionError("no form on " + page.uri() + ":\n" + abbreviated(page.body()));
        }
        Map<String, String> formAttributes = attributes(form.group(1));
        URI action = page.uri().resolve(formAttributes.getOrDefault("action", "").isEmpty()
                ? page.uri().toString() : formAttributes.get("action"));
        Map<String, String> values = new LinkedHashMap<>();
        Matcher input = INPUT.matcher(form.group(2));
        while (input.find()) {
            Map<String, String> attributes = attributes(input.group(1));
            if (attributes.containsKey("name")) {
                values.put(attributes.get("name"), attributes.getOrDefault("value", ""));
            }
        }
        values.putAll(fields);
        String encoded = values.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        if ("post".equalsIgnoreCase(formAttributes.getOrDefault("method", "get"))) {
            return HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encoded));
        }
        String base = action.toString().replaceAll("\\?.*$", "");
        return HttpRequest.newBuilder(URI.create(base + "?" + encoded)).GET();
    }

    private static URI linkTarget(Page page, String text) {
        Matcher link = LINK.matcher(page.body());
        while (link.find()) {
            if (link.group(2).contains(text)) {
                return page.uri().resolve(attributes(link.group(1)).get("href"));
            }
        }
        throw new AssertionError("no link '" + text + "' on " + page.uri() + ":\n" + abbreviated(page.body()));
    }

    private HttpResponse<String> send(HttpRequest.Builder builder) {
        HttpRequest request = builder.timeout(Duration.ofSeconds(20)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(tag);
        while (m.find()) {
            String value = m.group(3) != null ? m.group(3) : m.group(4);
            attributes.put(m.group(1).toLowerCase(java.util.Locale.ROOT), unescape(value));
        }
        return attributes;
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#39;", "'").replace("&#34;", "\"").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&#60;", "<").replace("&#62;", ">").replace("&amp;", "&").replace("&#38;", "&");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviated(String body) {
        return body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
    }
}
