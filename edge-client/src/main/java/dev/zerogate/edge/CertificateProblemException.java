package dev.zerogate.edge;

import java.security.cert.CertificateException;

/** A server certificate refused, with a message a person can act on (wrong name, expired, untrusted issuer). */
public final class CertificateProblemException extends CertificateException {
    public CertificateProblemException(String message, Throwable cause) {
        super(message, cause);
    }
}
