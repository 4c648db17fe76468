package dev.zerogate.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An external PostgreSQL database given as one URL, {@code postgresql://user:password@host:5432/db?sslmode=require},
 * turned into the four standard Quarkus datasource variables a service reads. The password
 * goes into the service's environment, never onto a command line, and never into a message.
 */
record DatabaseUrl(String host, int port, String database, String query, String username, String password) {

    static DatabaseUrl parse(String text, String source) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(source + " is not a URL; write it like postgresql://user:password@db.internal:5432/zerogate_identity");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException(source + " must start with postgresql://");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (uri.getHost() == null || path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException(source + " must name a host and one database: postgresql://user:password@host:5432/database");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null || userInfo.indexOf(':') < 1) {
            throw new IllegalArgumentException(source + " must carry the role and its password: postgresql://user:password@host/database");
        }
        int colon = userInfo.indexOf(':');
        return new DatabaseUrl(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, decode(path.substring(1)),
                uri.getRawQuery() == null ? "" : uri.getRawQuery(),
                decode(userInfo.substring(0, colon)), decode(userInfo.substring(colon + 1)));
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The service's datasource settings. */
    Map<String, String> environment() {
        String suffix = query.isEmpty() ? "" : "?" + query;
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database + suffix;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + address);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + address);
        env.put("QUARKUS_DATASOURCE_USERNAME", username);
        env.put("QUARKUS_DATASOURCE_PASSWORD", password);
        return env;
    }

    @Override
    public String toString() {
        return username + "@" + host + ":" + port + "/" + database;
    }
}
