package dev.zerogate.policy.engine.address;

/** IP address families, with their width in bits. */
public enum IpFamily {
    V4(32),
    V6(128);

    private final int bits;

    IpFamily(int bits) {
        this.bits = bits;
    }

    /** Address width in bits: 32 or 128. */
    public int bits() {
        return bits;
    }
}
