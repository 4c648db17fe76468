package dev.zerogate.client.tunnel;

import dev.zerogate.client.login.CredentialStore;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TunnelCommandTest {

    @Test
    void aFailedHandshakeIsExplainedByItsInnermostCauseNotBoringSslsGeneralProblem() {
        SSLHandshakeException handshake = new SSLHandshakeException("General OpenSslEngine problem");
        handshake.initCause(new CertificateException("not the expected peer: connector c-9"));
        String line = TunnelCommand.describe(new CompletionException(handshake), "pihole.lan", 80);
        assertEquals("cannot reach pihole.lan:80: the end-to-end TLS handshake with the connector failed: "
                + "not the expected peer: connector c-9", line);
    }

    @Test
    void aFlowRefusedBecauseTheSessionEndedSaysSoAndHowToGetBackIn() {
        String line = TunnelCommand.describe(new CompletionException(new CredentialStore.SessionEndedException(
                "the session has ended (refresh token has expired); log in again: zerogate login")), "pihole.lan", 80);
        assertEquals("no flow to pihole.lan:80: the session has ended (refresh token has expired); log in again: zerogate login", line);
    }
}
