/**
 * Where a resource is and where a caller wants to go, as text becomes values: DNS names,
 * wildcards, IPv4 and IPv6 addresses and CIDR prefixes, each parsed strictly and normalised so
 * that two spellings of one address are equal. Matching a destination to a resource is the
 * decision package's {@code ResourceIndex}.
 */
package dev.zerogate.policy.engine.address;
