package dev.zerogate.servicekit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings of the database checks shared by the services that own a database. */
@ConfigMapping(prefix = "zerogate.database")
public interface DatabaseConfig {

    /**
     * How long the readiness check waits for the database to answer before it reports the
     * service not ready. Short, so that a probe never hangs on a dead database.
     */
    @WithDefault("2s")
    Duration readinessTimeout();
}
