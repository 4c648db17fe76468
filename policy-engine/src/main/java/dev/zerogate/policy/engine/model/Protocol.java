package dev.zerogate.policy.engine.model;

/**
 * Transport protocols, as the proto's {@code Protocol}. {@link #UNSPECIFIED} stands for a value
 * the adapter could not map: the engine always denies it.
 */
public enum Protocol {
    UNSPECIFIED,
    TCP,
    UDP,
    /** ICMP echo (ping), IPv4 and IPv6. Has no ports: requests carry port 0. */
    ICMP
}
