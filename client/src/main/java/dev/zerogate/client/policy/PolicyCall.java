package dev.zerogate.client.policy;

import dev.zerogate.client.login.LoginCredentials;

import java.io.PrintWriter;

/**
 * What a {@link PolicyCommand} works with: the channel to policy-svc (sending the access token),
 * the credentials the command started with, and where its output goes.
 */
public record PolicyCall(PolicyChannel policy, LoginCredentials credentials, PrintWriter out) {
}
