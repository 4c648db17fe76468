package dev.zerogate.runkit;

/** The Java this process runs on, to start other Java programs (the services, the CLI) with the same one. */
public final class CurrentJava {

    private CurrentJava() {
    }

    /** The {@code java} command of this process, or {@code java} from the PATH when the system cannot say. */
    public static String command() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
