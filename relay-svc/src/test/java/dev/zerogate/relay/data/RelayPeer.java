package dev.zerogate.relay.data;

import com.google.protobuf.ByteString;
import dev.zerogate.proto.tunnel.v1.ClientJoin;
import dev.zerogate.proto.tunnel.v1.ConnectorJoin;
import dev.zerogate.proto.tunnel.v1.RelayAnswer;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.tunnel.KeyThumbprints;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.RelayKey;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;

/** A client or connector end of a relay connection, on a blocking socket, for tests. */
final class RelayPeer implements AutoCloseable {

    final Socket socket;
    final DataInputStream in;
    byte[] sentPreamble;
    private Preambles.Sealer sealer;

    RelayPeer(int port) throws IOException {
        this(plain("127.0.0.1", port));
    }

    /** Over a connected socket (a TLS one, say: {@link #overTls}). */
    RelayPeer(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
    }

    /** A plain socket to the relay on 127.0.0.1 from {@code localAddress} (127.0.0.2 plays a proxy). */
    static Socket plain(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        return socket;
    }

    /**
     * TLS over {@code plain} as a relay's https URL asks for: SNI and host-name check for
     * {@code localhost}, ALPN {@code alpn}; the handshake is done when this returns.
     */
    static SSLSocket overTls(Socket plain, SSLContext tls, String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setApplicationProtocols(alpn);
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    static KeyPair deviceKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String thumbprint(KeyPair key) {
        return KeyThumbprints.of(key.getPublic());
    }

    /** Sends a client preamble: the grant, the device key and its proof over this connection. */
    RelayPeer sendClientJoin(RelayKey relay, String grant, KeyPair device, Instant sentAt) throws Exception {
        sealer = new Preambles.Sealer(relay);
        long millis = sentAt.toEpochMilli();
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(device.getPrivate());
        signer.update(Preambles.proofInput(sealer.keyId(), sealer.encapsulatedKey(), millis));
        RelayPreamble preamble = RelayPreamble.newBuilder().setSentAtUnixMs(millis)
                .setClient(ClientJoin.newBuilder().setGrant(grant)
                        .setDevicePublicKey(ByteString.copyFrom(device.getPublic().getEncoded()))
                        .setProof(ByteString.copyFrom(signer.sign())))
                .build();
        return sendRaw(sealer.seal(preamble));
    }

    RelayPeer sendConnectorJoin(RelayKey relay, ByteString token) throws IOException {
        sealer = new Preambles.Sealer(relay);
        return sendRaw(sealer.seal(RelayPreamble.newBuilder().setSentAtUnixMs(System.currentTimeMillis())
                .setConnector(ConnectorJoin.newBuilder().setRendezvousToken(token)).build()));
    }

    RelayPeer sendRaw(byte[] bytes) throws IOException {
        sentPreamble = bytes;
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads and opens the relay's answer. */
    RelayAnswer answer() throws Exception {
        int length = in.readUnsignedShort();
        byte[] sealed = new byte[length];
        in.readFully(sealed);
        return sealer.openAnswer(sealed);
    }

    /** True when the relay closed the connection without sending anything. */
    boolean closedSilently() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | java.net.SocketException | javax.net.ssl.SSLException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
