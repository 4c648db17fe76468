package dev.zerogate.identity.service;

/**
 * A login that did not succeed, with a message for the person at the login page. The message
 * never says whether the account exists.
 */
public final class LoginFailedException extends RuntimeException {

    public LoginFailedException(String message) {
        super(message, null, false, false);
    }
}
