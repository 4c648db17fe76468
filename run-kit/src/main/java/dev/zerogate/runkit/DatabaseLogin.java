package dev.zerogate.runkit;

/**
 * How a service reaches its database: the values of the standard Quarkus datasource keys.
 * {@link #toString()} leaves the password out so that a login can be logged.
 */
public record DatabaseLogin(String host, int port, String database, String username, String password) {

    /** For {@code quarkus.datasource.reactive.url}. */
    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    /** For {@code quarkus.datasource.jdbc.url} (used by Flyway migrations only). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return username + "@" + host + ":" + port + "/" + database;
    }
}
