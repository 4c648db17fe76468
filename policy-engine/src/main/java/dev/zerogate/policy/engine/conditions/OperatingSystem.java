package dev.zerogate.policy.engine.conditions;

/**
 * Operating systems a posture requirement can name, as the proto's {@code OperatingSystem}.
 * {@link #UNSPECIFIED} is what a device reports when its OS is unknown: it meets no OS requirement.
 */
public enum OperatingSystem {
    UNSPECIFIED("unknown OS"),
    LINUX("Linux"),
    MACOS("macOS"),
    WINDOWS("Windows"),
    IOS("iOS"),
    ANDROID("Android"),
    FREEBSD("FreeBSD");

    private final String displayName;

    OperatingSystem(String displayName) {
        this.displayName = displayName;
    }

    /** Name for messages: "macOS". */
    public String displayName() {
        return displayName;
    }
}
