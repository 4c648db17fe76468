package dev.zerogate.policy.engine.address;

/** The four forms of a resource address, as in the proto's {@code ResourceAddress.kind} oneof. */
public enum AddressKind {
    FQDN,
    WILDCARD,
    IP_ADDRESS,
    CIDR
}
