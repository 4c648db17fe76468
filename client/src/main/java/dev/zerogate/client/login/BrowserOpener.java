package dev.zerogate.client.login;

import java.util.concurrent.TimeUnit;

/** Opens a link in the desktop's browser where there is a desktop; otherwise does nothing. */
final class BrowserOpener {

    private BrowserOpener() {
    }

    static void tryOpen(String url) {
        boolean desktop = System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String opener = os.contains("mac") ? "open" : desktop ? "xdg-open" : null;
        if (opener == null) {
            return;
        }
        try {
            Process process = new ProcessBuilder(opener, url).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The link is printed; opening it is a convenience.
        }
    }
}
