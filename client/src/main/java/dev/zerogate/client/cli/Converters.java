package dev.zerogate.client.cli;

import com.google.protobuf.Timestamp;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.TimeWindow;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.function.Function;

/**
 * picocli converters for the command line's own notations, so that a malformed value is a
 * usage error (exit 2) naming the option and what is wrong, before anything is sent.
 */
public final class Converters {

    private Converters() {
    }

    private static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code all}, {@code none}, {@code 22,80,8000-8080}: {@link PortSpec}. */
    public static final class Ports implements ITypeConverter<PortPolicy> {
        @Override
        public PortPolicy convert(String value) {
            return Converters.convert(value, PortSpec::parse);
        }
    }

    /** A name, wildcard, IP address or CIDR: {@link AddressSpec}. */
    public static final class Address implements ITypeConverter<ResourceAddress> {
        @Override
        public ResourceAddress convert(String value) {
            return Converters.convert(value, AddressSpec::parse);
        }
    }

    /** {@code "Mon-Fri 08:00-18:00 Europe/Berlin"}: {@link WindowSpec}. */
    public static final class Window implements ITypeConverter<TimeWindow> {
        @Override
        public TimeWindow convert(String value) {
            return Converters.convert(value, WindowSpec::parse);
        }
    }

    /** {@code 30m}, {@code 8h}, {@code 2d}: {@link TimeSpec#duration}. */
    public static final class Length implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, TimeSpec::duration);
        }
    }

    /** {@code 2026-12-31T00:00:00Z}: {@link TimeSpec#instant}. */
    public static final class PointInTime implements ITypeConverter<Timestamp> {
        @Override
        public Timestamp convert(String value) {
            return Converters.convert(value, text -> TimeSpec.toProto(TimeSpec.instant(text)));
        }
    }
}
