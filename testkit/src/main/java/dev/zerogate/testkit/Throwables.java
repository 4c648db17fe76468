package dev.zerogate.testkit;

/** Helpers for asserting on failures that arrive wrapped (reactive pipelines wrap a lot). */
public final class Throwables {

    private Throwables() {
    }

    /** Every throwable of the cause chain as "Type: message", joined, for matching and for messages. */
    public static String describeChain(Throwable failure) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            chain.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return chain.toString();
    }

    /** The first throwable of the chain that is of {@code type}, or null. */
    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
