package dev.zerogate.client.cli;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.IVersionProvider;

/** {@code zerogate --version}: the build's version and the Java runtime it runs on. */
public class ClientVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"zerogate " + version(), "java " + Runtime.version()};
    }

    /** This build's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("0.0.0");
    }
}
