package dev.zerogate.client.tunnel;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Notices the two events after which a running tunnel's sessions may be dead while looking
 * alive: the machine slept (the wall clock moved on further than the monotonic clock, which
 * stops during suspend), or this machine's addresses changed (Wi-Fi to a phone's tether, a new
 * DHCP lease, a VPN up or down). A TCP connection from an address that is gone never hears
 * anything again; without this, the session would only be declared dead by its keepalive,
 * up to {@link dev.zerogate.tunnel.TunnelProtocol#DEAD_AFTER_SECONDS} later, and flows opened
 * meanwhile would hang.
 */
final class LinkWatch implements AutoCloseable {

    /** What the tunnel does about it. */
    interface Listener {
        /** The machine was suspended for about {@code gap}. */
        void slept(Duration gap);

        /** Addresses were added or removed; {@code gone} are those no longer on any interface. */
        void addressesChanged(Set<InetAddress> gone, Set<InetAddress> now);
    }

    /** Wall-clock time beyond the monotonic time that counts as a sleep, not scheduling noise. */
    static final Duration SLEEP_GAP = Duration.ofSeconds(5);
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final Supplier<Set<InetAddress>> addresses;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Listener listener;
    private ScheduledExecutorService scheduler;
    // Touched only by check(), which runs on one thread.
    private Set<InetAddress> known;
    private long lastNanos;
    private long lastWallMillis;

    LinkWatch(Supplier<Set<InetAddress>> addresses, LongSupplier nanoClock, Clock wallClock, Listener listener) {
        this.addresses = addresses;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.listener = listener;
        this.known = addresses.get();
        this.lastNanos = nanoClock.getAsLong();
        this.lastWallMillis = wallClock.millis();
    }

    /** A watch of this machine's interfaces and clocks. */
    static LinkWatch ofThisMachine(Listener listener) {
        return new LinkWatch(LinkWatch::localAddresses, System::nanoTime, Clock.systemUTC(), listener);
    }

    /** Checks every {@link #PERIOD} on a daemon thread of its own. */
    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "zerogate-link-watch");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One comparison with the last one; package-visible so that tests drive it. */
    void check() {
        long nanos = nanoClock.getAsLong();
        long wallMillis = wallClock.millis();
        long gapMillis = (wallMillis - lastWallMillis) - TimeUnit.NANOSECONDS.toMillis(nanos - lastNanos);
        lastNanos = nanos;
        lastWallMillis = wallMillis;
        if (gapMillis >= SLEEP_GAP.toMillis()) {
            listener.slept(Duration.ofMillis(gapMillis));
        }
        Set<InetAddress> now = addresses.get();
        if (now != null && known == null) {
            known = now;
        } else if (now != null && !now.equals(known)) {
            Set<InetAddress> gone = new HashSet<>(known);
            gone.removeAll(now);
            known = now;
            listener.addressesChanged(Collections.unmodifiableSet(gone), now);
        }
    }

    /**
     * Every address of every interface that is up, loopback included (a relay may be local);
     * null when the system cannot say right now.
     */
    static Set<InetAddress> localAddresses() {
        Set<InetAddress> found = new HashSet<>();
        try {
            var interfaces = NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements()) {
                NetworkInterface nic = interfaces.nextElement();
                try {
                    if (nic.isUp()) {
                        found.addAll(Collections.list(nic.getInetAddresses()));
                    }
                } catch (SocketException e) {
                    // It went away while we looked: its addresses are gone.
                }
            }
        } catch (SocketException e) {
            // No answer this time; an empty set would look like every address gone.
            return null;
        }
        return found;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
