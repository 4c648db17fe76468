package dev.zerogate.relay;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The relay's clock; one place, so that tests can replace it. */
public class RelayClock {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
