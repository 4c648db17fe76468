package dev.zerogate.client.tunnel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The always-on service files: systemd's own verifier accepts the unit, and the launchd agent says what launchd must run. */
class ServiceUnitsTest {

    @TempDir
    Path dir;

    private ServiceUnits.Settings settings(Path jar) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ZEROGATE_CONFIG_DIR", dir.resolve("my config").toString());
        environment.put("ZEROGATE_RELAY_URL", "https://relay.example.net");
        return new ServiceUnits.Settings(List.of(java, "-jar", jar.toString()), "127.0.0.1:1080", "refuse", environment, dir);
    }

    @Test
    void systemdsVerifierAcceptsTheUserUnitWithAPathThatHasSpaces() throws Exception {
        Path systemdAnalyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(systemdAnalyze), "systemd-analyze is not installed (CI installs it: .ci/run)");
        Path jar = Files.createFile(Files.createDirectories(dir.resolve("zerogate 1.0")).resolve("quarkus-run.jar"));
        String unit = ServiceUnits.render(ServiceUnits.Kind.SYSTEMD, settings(jar));
        assertTrue(unit.contains("ExecStart=" + settings(jar).command().get(0) + " -jar \"" + jar + "\" up --listen 127.0.0.1:1080 --others refuse"),
                unit);
        assertTrue(unit.contains("Environment=\"ZEROGATE_CONFIG_DIR=" + dir.resolve("my config") + "\""), unit);
        assertTrue(!unit.contains("{{"), unit);

        Path file = dir.resolve("zerogate-up.service");
        Files.writeString(file, unit);
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        ProcessBuilder verify = new ProcessBuilder(systemdAnalyze.toString(), "--user", "verify", file.toString())
                .redirectErrorStream(true);
        verify.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        Process process = verify.start();
        String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        // It warns on stderr about what it ignores, and exits 0 anyway: both must be clean.
        assertEquals(0, process.exitValue(), said);
        assertEquals("", said.strip(), "systemd-analyze complained:\n" + said);
    }

    @Test
    void systemdsVerifierWouldRefuseAUnitWhoseCommandIsMissing() throws Exception {
        Path systemdAnalyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(systemdAnalyze), "systemd-analyze is not installed (CI installs it: .ci/run)");
        ServiceUnits.Settings missing = new ServiceUnits.Settings(List.of(dir.resolve("no-such-zerogate").toString()), "127.0.0.1:1080",
                "refuse", Map.of(), dir);
        Path file = dir.resolve("zerogate-up.service");
        Files.writeString(file, ServiceUnits.render(ServiceUnits.Kind.SYSTEMD, missing));
        ProcessBuilder verify = new ProcessBuilder(systemdAnalyze.toString(), "--user", "verify", file.toString()).redirectErrorStream(true);
        verify.environment().put("XDG_RUNTIME_DIR", Files.createDirectories(dir.resolve("runtime")).toString());
        Process process = verify.start();
        String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertTrue(process.exitValue() != 0 && said.contains("no-such-zerogate"), said);
    }

    @Test
    void theLaunchdAgentRunsUpAtLoginKeepsItAliveAndLogsToTheUsersLogs() throws Exception {
        Path jar = dir.resolve("a & b").resolve("quarkus-run.jar");
        String plist = ServiceUnits.render(ServiceUnits.Kind.LAUNCHD, settings(jar));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(plist.getBytes(StandardCharsets.UTF_8)));
        Map<String, Node> top = dict(first(document.getDocumentElement(), "dict"));

        assertEquals("dev.zerogate.up", top.get("Label").getTextContent());
        List<String> arguments = new ArrayList<>();
        for (Element string : children((Element) top.get("ProgramArguments"), "string")) {
            arguments.add(string.getTextContent());
        }
        List<String> expected = new ArrayList<>(settings(jar).command());
        expected.addAll(List.of("up", "--listen", "127.0.0.1:1080", "--others", "refuse"));
        assertEquals(expected, arguments);
        assertEquals("true", top.get("RunAtLoad").getNodeName());
        assertEquals("false", dict((Element) top.get("KeepAlive")).get("SuccessfulExit").getNodeName(), "restarted unless it exited cleanly");
        Map<String, Node> environment = dict((Element) top.get("EnvironmentVariables"));
        assertEquals(dir.resolve("my config").toString(), environment.get("ZEROGATE_CONFIG_DIR").getTextContent());
        String log = dir.resolve("Library/Logs/zerogate/up.log").toString();
        assertEquals(log, top.get("StandardOutPath").getTextContent());
        assertEquals(log, top.get("StandardErrorPath").getTextContent());
    }

    @Test
    void theFilesGoWhereEachServiceManagerLooksForThem() {
        Path home = Path.of("/home/ada");
        assertEquals(Path.of("/home/ada/.config/systemd/user/zerogate-up.service"),
                ServiceUnits.location(ServiceUnits.Kind.SYSTEMD, home, Optional.empty()));
        assertEquals(Path.of("/xdg/systemd/user/zerogate-up.service"),
                ServiceUnits.location(ServiceUnits.Kind.SYSTEMD, home, Optional.of("/xdg")));
        assertEquals(Path.of("/home/ada/Library/LaunchAgents/dev.zerogate.up.plist"),
                ServiceUnits.location(ServiceUnits.Kind.LAUNCHD, home, Optional.empty()));
    }

    @Test
    void systemdWordsAreQuotedAndTheirSpecifiersEscaped() {
        assertEquals("/usr/bin/java", ServiceUnits.systemdWord("/usr/bin/java"));
        assertEquals("\"/opt/zero gate/run.jar\"", ServiceUnits.systemdWord("/opt/zero gate/run.jar"));
        assertEquals("100%%", ServiceUnits.systemdWord("100%"));
        assertEquals("$$HOME", ServiceUnits.systemdWord("$HOME"));
        assertEquals("\"a \\\"b\\\"\"", ServiceUnits.systemdWord("a \"b\""));
    }

    /** A plist dict's entries: each key's value element. */
    private static Map<String, Node> dict(Element dict) {
        Map<String, Node> entries = new LinkedHashMap<>();
        List<Element> elements = children(dict, null);
        for (int i = 0; i + 1 < elements.size(); i += 2) {
            assertEquals("key", elements.get(i).getNodeName());
            entries.put(elements.get(i).getTextContent(), elements.get(i + 1));
        }
        return entries;
    }

    private static Element first(Element parent, String name) {
        return children(parent, name).get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && (name == null || element.getNodeName().equals(name))) {
                found.add(element);
            }
        }
        return found;
    }
}
