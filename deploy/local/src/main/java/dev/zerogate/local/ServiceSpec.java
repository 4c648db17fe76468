package dev.zerogate.local;

import java.util.List;
import java.util.Optional;

/**
 * One zerogate service as the local run starts it.
 *
 * @param name       the service's name, also its module directory
 * @param portOffset its port is the run's port base plus this
 * @param database   the database it owns, if any (created with a role of the same name)
 */
public record ServiceSpec(String name, int portOffset, Optional<String> database) {

    /** PostgreSQL's port is the port base itself. */
    public static final int POSTGRES_PORT_OFFSET = 0;

    /**
     * Every service of the local run, in start order. A later issue adds a service here and
     * it is built, started, health-checked, printed and stopped like the others.
     */
    public static final List<ServiceSpec> ALL = List.of(
            new ServiceSpec("identity-svc", 1, Optional.of("zerogate_identity")),
            new ServiceSpec("policy-svc", 2, Optional.of("zerogate_policy")),
            new ServiceSpec("relay-svc", 3, Optional.empty()),
            new ServiceSpec("connector-svc", 4, Optional.empty()));

    public int port(int portBase) {
        return portBase + portOffset;
    }
}
