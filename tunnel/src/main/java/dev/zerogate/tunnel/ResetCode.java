package dev.zerogate.tunnel;

/** Why a stream was reset or a session ended: the 2-byte code of RESET and GOAWAY frames. */
public enum ResetCode {
    /** A code this version does not know; treated like CANCELLED. */
    UNKNOWN(0),
    /** The peer broke the protocol (see TunnelProtocol); the session ends. */
    PROTOCOL_ERROR(1),
    /** The peer sent beyond its window. */
    FLOW_CONTROL_ERROR(2),
    /** The sender gave up on the stream, e.g. its local socket failed or was reset. */
    CANCELLED(3),
    /** The destination reset or broke the connection. */
    DESTINATION_ERROR(4),
    /** Access was withdrawn: a rule, resource, user, session or device no longer allows the flow. */
    ACCESS_REVOKED(5),
    /** The sending side is shutting down. */
    SHUTDOWN(6),
    /** Nothing was received for too long. */
    IDLE(7),
    /** An unexpected error on the sending side. */
    INTERNAL(8),
    /** A normal end of the session (the client has no more flows). */
    NORMAL(9);

    private final int code;

    ResetCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ResetCode of(int code) {
        for (ResetCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        return UNKNOWN;
    }
}
