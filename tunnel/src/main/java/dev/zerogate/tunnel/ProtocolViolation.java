package dev.zerogate.tunnel;

/** The peer broke the protocol: the session ends with GOAWAY carrying this code and message. */
public final class ProtocolViolation extends Exception {

    private final ResetCode code;

    public ProtocolViolation(ResetCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ProtocolViolation(String message) {
        this(ResetCode.PROTOCOL_ERROR, message);
    }

    public ResetCode code() {
        return code;
    }
}
