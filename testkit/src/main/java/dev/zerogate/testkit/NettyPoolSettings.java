package dev.zerogate.testkit;

/**
 * Netty's pooled-allocator settings as a Quarkus service sets them (system properties, from
 * {@code quarkus.netty.allocator-max-order}). A {@code @QuarkusTest} JVM may have started Netty
 * before the property was set, so the property, not the live allocator, is what a test can check.
 */
public final class NettyPoolSettings {

    private static final int DEFAULT_PAGE_SIZE = 8192;

    private NettyPoolSettings() {
    }

    /** The pool's chunk size in bytes (page size shifted by the max order); -1 when no max order is set. */
    public static long chunkBytes() {
        String maxOrder = System.getProperty("io.netty.allocator.maxOrder");
        if (maxOrder == null) {
            return -1;
        }
        return (long) Integer.getInteger("io.netty.allocator.pageSize", DEFAULT_PAGE_SIZE) << Integer.parseInt(maxOrder);
    }
}
