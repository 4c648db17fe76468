package dev.zerogate.client;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.IVersionProvider;

/** {@code zerogate --version}: the build's version and the Java runtime it runs on. */
public class ClientVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown");
        return new String[] {"zerogate " + version, "java " + Runtime.version()};
    }
}
