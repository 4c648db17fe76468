package dev.zerogate.relay.service;

import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;

/** Why the relay answers a preamble with something other than OK; {@code reason} is the metric label. */
public final class RelayRefusal extends Exception {

    private final RelayAnswerCode code;
    private final String reason;

    public RelayRefusal(RelayAnswerCode code, String reason, String message) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
    }

    public RelayAnswerCode code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
