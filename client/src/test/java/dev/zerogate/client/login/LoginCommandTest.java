package dev.zerogate.client.login;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginCommandTest {

    @Test
    void refusesPlainHttpOffLoopbackBeforeSendingAnything() throws Exception {
        // [::ffff:127.0.0.1] would reach this socket, but it is no loopback literal the policy accepts.
        try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            listening.setSoTimeout(500);
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new LoginCommand()).setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
                    .execute("http://[::ffff:127.0.0.1]:" + listening.getLocalPort(), "--no-browser");
            assertEquals(2, exit);
            assertTrue(err.toString().startsWith("zerogate: the URL http://[::ffff:127.0.0.1]:" + listening.getLocalPort() + " is plain http://"),
                    err.toString());
            assertTrue(err.toString().contains("--insecure-http"), err.toString());
            assertThrows(SocketTimeoutException.class, listening::accept);
        }
    }
}
