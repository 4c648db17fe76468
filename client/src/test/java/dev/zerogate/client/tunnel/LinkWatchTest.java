package dev.zerogate.client.tunnel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two signs that a running tunnel's sessions may be dead: a sleep, and addresses that changed. */
class LinkWatchTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong wallMillis = new AtomicLong(Instant.parse("2026-12-07T12:00:00Z").toEpochMilli());
    private final AtomicReference<Set<InetAddress>> addresses = new AtomicReference<>();
    private final List<String> events = new ArrayList<>();

    private LinkWatch watch() {
        Clock wall = new Clock() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(wallMillis.get());
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        return new LinkWatch(addresses::get, nanos::get, wall, new LinkWatch.Listener() {
            @Override
            public void slept(Duration gap) {
                events.add("slept " + gap.toSeconds() + " s");
            }

            @Override
            public void addressesChanged(Set<InetAddress> gone, Set<InetAddress> now) {
                events.add("gone " + gone.stream().map(InetAddress::getHostAddress).sorted().toList() + " now " + now.size());
            }
        });
    }

    private void elapse(long monotonicMillis, long wallClockMillis) {
        nanos.addAndGet(monotonicMillis * 1_000_000L);
        wallMillis.addAndGet(wallClockMillis);
    }

    @Test
    void anHourWhereTheMonotonicClockStoodStillIsASleep() throws Exception {
        addresses.set(Set.of(InetAddress.getByName("192.168.1.20")));
        LinkWatch watch = watch();
        elapse(1_000, 1_000);
        watch.check();
        assertTrue(events.isEmpty(), events.toString());
        elapse(1_000, 3_600_000); // suspended: the wall clock went on, the monotonic one did not
        watch.check();
        assertEquals(List.of("slept 3599 s"), events);
    }

    @Test
    void aLateTickOrAClockAdjustmentOfAFewSecondsIsNotASleep() throws Exception {
        addresses.set(Set.of(InetAddress.getByName("192.168.1.20")));
        LinkWatch watch = watch();
        elapse(3_000, 3_000); // a busy machine ticks late: both clocks moved
        watch.check();
        elapse(1_000, 4_000); // NTP stepped the wall clock by 3 s
        watch.check();
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void anAddressThatGoesAwayIsNamedAndANewOneIsAChangeToo() throws Exception {
        InetAddress wifi = InetAddress.getByName("192.168.1.20");
        InetAddress tether = InetAddress.getByName("172.20.10.2");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        addresses.set(Set.of(loopback, wifi));
        LinkWatch watch = watch();
        watch.check();
        assertTrue(events.isEmpty());

        addresses.set(Set.of(loopback, wifi, tether)); // the tether comes up beside the Wi-Fi
        watch.check();
        addresses.set(Set.of(loopback, tether)); // then the Wi-Fi goes
        watch.check();
        watch.check();
        assertEquals(List.of("gone [] now 3", "gone [192.168.1.20] now 2"), events);
    }

    @Test
    void aMomentWhenTheSystemCannotListItsAddressesIsNotAChange() throws Exception {
        InetAddress wifi = InetAddress.getByName("192.168.1.20");
        addresses.set(Set.of(wifi));
        LinkWatch watch = watch();
        addresses.set(null);
        watch.check();
        addresses.set(Set.of(wifi));
        watch.check();
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void thisMachinesAddressesIncludeLoopback() {
        assertTrue(LinkWatch.localAddresses().stream().anyMatch(InetAddress::isLoopbackAddress));
    }
}
