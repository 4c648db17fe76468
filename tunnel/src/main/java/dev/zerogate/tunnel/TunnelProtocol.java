package dev.zerogate.tunnel;

/**
 * The zerogate data-plane protocol, version 1: the one place it is specified.
 *
 * <h2>Flow</h2>
 * <pre>
 *  client                         relay                              connector
 *    |                              |  &lt;== gRPC RelayControlService.Connect (Hello, Welcome,
 *    |                              |      heartbeats) over the same public port ==&gt; |
 *    |-- TCP connect, PREAMBLE ----&gt;|                                  |
 *    |   (HPKE-sealed ClientJoin:   |  checks grant + proof, picks a   |
 *    |    grant, device key, proof) |  connector of the grant's network|
 *    |                              |-- FlowRequest(rendezvous token) -&gt;|
 *    |                              |&lt;-- TCP connect, PREAMBLE ---------|
 *    |                              |    (HPKE-sealed ConnectorJoin)   |
 *    |&lt;-- ANSWER OK (sealed) -------|--- ANSWER OK (sealed) -----------&gt;|
 *    |============ spliced: the relay copies bytes, reads none =========|
 *    |-- TLS 1.3 ClientHello, ALPN "zg-tunnel/1", device certificate ---&gt;|  (connector is the
 *    |&lt;------------------- connector certificate, mutual auth -----------|   TLS server)
 *    |== frames inside TLS: OPEN(grant, destination, port) -&gt; OPENED, DATA both ways, FIN,
 *    |   RESET; many streams per session, each with its own flow-control window ==========|
 * </pre>
 *
 * <h2>Relay preamble (peer → relay), before anything else on a relay connection</h2>
 * <pre>
 * offset size  field
 *  0      4    magic "ZGR1" = 0x5A 0x47 0x52 0x31 (format 1). Any other first bytes are not
 *              ours: the relay hands the connection to its gRPC/HTTP server (one public port).
 *  4      8    relay key id: the first 8 bytes of SHA-256 of the relay's X25519 public key
 *  12     32   enc: the HPKE encapsulated key (X25519)
 *  44     2    n: length of the sealed body, 1..{@value #MAX_SEALED_PREAMBLE}, big-endian;
 *              checked before anything is allocated
 *  46     n    HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 *              AES-128-GCM; info = "zerogate relay preamble v1"; aad = bytes 0..45;
 *              plaintext = zerogate.tunnel.v1.RelayPreamble
 * </pre>
 * The whole preamble must arrive within {@value #HANDSHAKE_TIMEOUT_SECONDS} s of the TCP
 * accept (slowloris), else the relay closes the connection without an answer.
 *
 * <h2>Relay answer (relay → peer)</h2>
 * <pre>
 *  0      2    n: length of the sealed answer, 1..{@value #MAX_SEALED_ANSWER}
 *  2      n    AES-128-GCM, key = HPKE export("zerogate relay answer v1", 16) of the
 *              preamble's context, nonce = 12 zero bytes (one answer per context);
 *              plaintext = zerogate.tunnel.v1.RelayAnswer
 * </pre>
 * After an OK answer every further byte is the peer's: the relay splices the client's and
 * the connector's connections and closes both when either closes. After any other answer
 * the relay closes the connection.
 *
 * <p>Key unknown: when the preamble's key id is not the relay's, the relay cannot open it, so it
 * cannot seal an answer either. It sends {@code n = 0} followed by the
 * {@value #RELAY_KEY_ID_BYTES}-byte id of the key it does hold, and closes. This answer is not
 * authenticated; a peer uses it only to refuse the relay with a message that names both key
 * ids (the relay was reinstalled, or it is not the relay the control plane published).
 *
 * <h2>Relay connection over TLS</h2>
 * When a relay's URL is {@code https://}, the peer first opens TLS (1.2 or 1.3) to the relay's
 * public port, with SNI = the URL's host and ALPN {@value #RELAY_ALPN}, and verifies the relay's
 * certificate for that host (WebPKI, or the CA the deployment configured); the preamble and
 * everything after it travel inside. On the same port, a TLS connection that offers another ALPN
 * ({@code h2}, {@code http/1.1}) or none carries gRPC/HTTP to the relay's own server. The outer
 * TLS hides the preamble's framing from the path and proves the relay's name; the end-to-end
 * session inside still does not trust the relay. A relay configured with a certificate refuses
 * connections that do not start with a TLS handshake.
 *
 * <p>Client proof of possession: ECDSA P-256 SHA-256 by the device key over
 * {@code "zerogate relay proof v1" || key id (8) || enc (32) || sent_at_unix_ms (8, big-endian)}.
 *
 * <h2>End-to-end session</h2>
 * TLS 1.3 only, AES-GCM suites, inside the spliced connection. The connector is the TLS
 * server and requires a client certificate. Both certificates are issued by zerogate's CA
 * (identity-svc); the client accepts only a certificate naming
 * {@code spiffe://<domain>/connector/<id from the relay answer>}; the connector accepts only a
 * {@code spiffe://<domain>/device/<id>} certificate whose key's JWK thumbprint is the
 * {@code cnf.jkt} of every grant the session presents, and whose device id is the grant's
 * {@code zg_dev}. ALPN {@value #ALPN} names the protocol version; a peer that does not
 * offer it is refused by the handshake. No SNI is sent.
 *
 * <h2>Frames (inside the session)</h2>
 * <pre>
 * header, {@value #FRAME_HEADER_BYTES} bytes, big-endian:
 *  0  1  type
 *  1  1  flags: none defined in version 1; senders send 0, receivers ignore them
 *  2  2  length of the payload, 0..{@value #MAX_FRAME_PAYLOAD} (checked before allocating)
 *  4  4  stream id: 0 for the session itself; a client opens odd ids, each larger than the
 *        last it opened
 * payload, length bytes
 *
 * code  type      stream  payload
 * 0x01  DATA      ≠ 0     bytes of the flow; counts against the receiver's window
 * 0x02  OPEN      ≠ 0     zerogate.tunnel.v1.OpenStream, ≤ {@value #MAX_OPEN_PAYLOAD} bytes
 *                         (client → connector only)
 * 0x03  OPENED    ≠ 0     zerogate.tunnel.v1.StreamOpened (connector → client)
 * 0x04  REFUSED   ≠ 0     zerogate.tunnel.v1.StreamRefused (connector → client); the stream
 *                         is closed
 * 0x05  WINDOW    ≠ 0     4 bytes: window increment, 1..2^31-1; the sender may send that
 *                         many more DATA bytes on the stream
 * 0x06  FIN       ≠ 0     empty: the sender sends no more DATA on the stream (half-close)
 * 0x07  RESET     ≠ 0     2 bytes reset code (see {@link ResetCode}) + UTF-8 message ≤ 500
 *                         bytes: the stream is closed both ways, now
 * 0x08  PING      0       8 opaque bytes, answered by PONG with the same bytes
 * 0x09  PONG      0       8 bytes from the PING
 * 0x0A  GOAWAY    0       2 bytes reset code + UTF-8 message ≤ 500 bytes: the session ends;
 *                         the sender closes the connection after sending it
 * </pre>
 * A frame of an unknown type is skipped (later versions may add types). A receiver ends
 * the session with GOAWAY PROTOCOL_ERROR for: a length above the limit for its type, a
 * stream id that is 0 where it must not be (or the reverse), an OPEN from the connector or
 * with an id that is even or not larger than the last, DATA beyond the window or after
 * FIN, a WINDOW increment of 0 or one that overflows 2^31-1, an unparseable body.
 * Frames for a stream that was closed recently are ignored (they may have crossed a RESET).
 *
 * <h2>Flow control</h2>
 * Each stream starts with a send window of {@value #INITIAL_STREAM_WINDOW} bytes in each
 * direction. DATA consumes it; the receiver returns credit with WINDOW once the bytes have
 * left its buffers (written to the destination socket or to the client's application), so a
 * slow reader on one stream holds back only that stream: the session keeps reading, and no
 * receiver ever buffers more than the window per stream. There is no session-wide window:
 * TCP's own flow control carries the session as a whole.
 *
 * <p>A receiver may widen a window at any time with WINDOW. zerogate's sessions widen each
 * stream they open (client) or accept (connector) to {@value #WIDE_STREAM_WINDOW} bytes with
 * one WINDOW right after OPEN / OPENED, as long as the widening of the session's open streams
 * stays within {@value #SESSION_WIDENING_BUDGET} bytes (8 wide streams); streams opened beyond
 * that keep the initial window. Why: one stream's throughput is at most its window per round
 * trip, and the round trip of a busy relay path includes the socket buffers of three TCP hops;
 * at 4 MiB the CPU rather than the window is the limit (ADR 0011 has the figures). The
 * budget keeps what a session can make its peer buffer at 1,024 × 256 KiB + 32 MiB.
 *
 * <h2>Limits and liveness</h2>
 * At most {@value #MAX_STREAMS_PER_SESSION} open streams per session (an OPEN beyond it is
 * REFUSED with CAPACITY). A side that has received nothing for
 * {@value #KEEPALIVE_SECONDS} s sends PING; a session that has received nothing for
 * {@value #DEAD_AFTER_SECONDS} s is dead and closed. A side may also PING whenever it doubts
 * the path (the client does before it reuses a session that has been silent for a while, and
 * after the machine slept or its addresses changed): any frame in return proves the peer alive.
 *
 * <h2>Versions</h2>
 * 1 (2026-11): this document. A later version gets a new ALPN name and preamble magic; the
 * relay control contract's Welcome.negotiated_protocol_version carries the number.
 */
public final class TunnelProtocol {

    /** The protocol version this library speaks. */
    public static final int VERSION = 1;
    /** ALPN protocol name of the end-to-end session. */
    public static final String ALPN = "zg-tunnel/1";
    /** ALPN protocol name of a data-plane connection inside the outer TLS to a relay. */
    public static final String RELAY_ALPN = "zg-relay/1";
    /** The answer length that means "key unknown": the relay's own key id follows. */
    public static final int KEY_UNKNOWN_ANSWER_LENGTH = 0;

    /** Preamble magic "ZGR1". */
    public static final byte[] PREAMBLE_MAGIC = {0x5A, 0x47, 0x52, 0x31};
    public static final int RELAY_KEY_ID_BYTES = 8;
    public static final int ENCAPSULATED_KEY_BYTES = 32;
    /** Magic, key id, enc and the 2-byte length. */
    public static final int PREAMBLE_HEADER_BYTES = 4 + RELAY_KEY_ID_BYTES + ENCAPSULATED_KEY_BYTES + 2;
    public static final int MAX_SEALED_PREAMBLE = 8192;
    public static final int MAX_SEALED_ANSWER = 1024;
    public static final String PREAMBLE_INFO = "zerogate relay preamble v1";
    public static final String ANSWER_EXPORT_LABEL = "zerogate relay answer v1";
    public static final String PROOF_LABEL = "zerogate relay proof v1";
    public static final int PREAMBLE_MAX_AGE_SECONDS = 60;
    public static final int HANDSHAKE_TIMEOUT_SECONDS = 10;

    public static final int FRAME_HEADER_BYTES = 8;
    public static final int MAX_FRAME_PAYLOAD = 16_384;
    /**
     * The largest DATA payload a sender puts in one frame: with its header it fills one TLS
     * record (16,384 bytes of plaintext) exactly, so the receiver finds whole frames in each
     * decrypted record instead of gathering every frame from two. A sender choice, not a limit.
     */
    public static final int RECORD_ALIGNED_DATA_PAYLOAD = 16_384 - FRAME_HEADER_BYTES;
    public static final int MAX_OPEN_PAYLOAD = 8_192;
    public static final int MAX_REASON_BYTES = 500;
    public static final int INITIAL_STREAM_WINDOW = 256 * 1024;
    /** A receiver's choice, not a limit on the peer: the window it widens a stream to while the session's budget lasts. */
    public static final int WIDE_STREAM_WINDOW = 4 * 1024 * 1024;
    /** A receiver's choice: the most it widens its streams' windows by, over all streams of one session. */
    public static final int SESSION_WIDENING_BUDGET = 32 * 1024 * 1024;
    public static final int MAX_WINDOW = Integer.MAX_VALUE;
    public static final int MAX_STREAMS_PER_SESSION = 1024;
    public static final int KEEPALIVE_SECONDS = 15;
    public static final int DEAD_AFTER_SECONDS = 45;

    /** Frame type codes; see the table above. */
    public static final int DATA = 0x01;
    public static final int OPEN = 0x02;
    public static final int OPENED = 0x03;
    public static final int REFUSED = 0x04;
    public static final int WINDOW = 0x05;
    public static final int FIN = 0x06;
    public static final int RESET = 0x07;
    public static final int PING = 0x08;
    public static final int PONG = 0x09;
    public static final int GOAWAY = 0x0A;

    /** The largest payload a frame of this type may carry; unknown types may carry up to the frame limit. */
    public static int maxPayload(int type) {
        return switch (type) {
            case OPEN -> MAX_OPEN_PAYLOAD;
            case WINDOW -> 4;
            case FIN -> 0;
            case PING, PONG -> 8;
            case RESET, GOAWAY -> 2 + MAX_REASON_BYTES;
            case OPENED, REFUSED -> 1024;
            default -> MAX_FRAME_PAYLOAD;
        };
    }

    /** True for types that belong to a stream (non-zero id); false for session frames. */
    public static boolean isStreamFrame(int type) {
        return type >= DATA && type <= RESET;
    }

    public static boolean isKnown(int type) {
        return type >= DATA && type <= GOAWAY;
    }

    private TunnelProtocol() {
    }
}
