package dev.zerogate.proto;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;

import java.time.Instant;

/**
 * The protobuf time types ({@code google.protobuf.Timestamp} and {@code Duration}, which every
 * contract uses for points and lengths of time) to and from {@code java.time}, exactly: seconds
 * and nanoseconds are carried over as they are, nothing is rounded. Hand-written, next to the
 * generated stubs, so that every adapter converts the same way.
 */
public final class ProtoTime {

    private ProtoTime() {}

    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static java.time.Duration duration(Duration duration) {
        return java.time.Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }

    public static Duration duration(java.time.Duration duration) {
        return Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }
}
