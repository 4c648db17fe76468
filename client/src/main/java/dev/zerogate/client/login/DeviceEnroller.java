package dev.zerogate.client.login;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.zerogate.client.cli.ClientVersion;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.EnrollDeviceRequest;
import dev.zerogate.proto.identity.v1.EnrollDeviceResponse;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.OperatingSystem;
import dev.zerogate.proto.identity.v1.RenewDeviceCertificateRequest;
import dev.zerogate.proto.identity.v1.RenewDeviceCertificateResponse;
import io.grpc.StatusRuntimeException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * Enrols this device after a login: a CSR for the device key, sent with the new access token
 * to identity-svc's EnrollmentService over the same URL (gRPC shares the port). The returned
 * certificate and CA are kept as {@code device.crt} and {@code ca.crt} (PEM, 0600).
 */
public final class DeviceEnroller {

    static final String CERTIFICATE_FILE = "device.crt";
    static final String CA_FILE = "ca.crt";

    private DeviceEnroller() {
    }

    static EnrollDeviceResponse enroll(String server, ClientAccess access, String accessToken, DeviceKey key, ConfigDirectory config) throws Exception {
        try (IdentityChannel identity = new IdentityChannel(server, access)) {
            EnrollDeviceResponse response = IdentityChannel.authorized(EnrollmentServiceGrpc.newBlockingStub(identity.channel()), accessToken)
                    .enrollDevice(EnrollDeviceRequest.newBuilder()
                            .setCsr(ByteString.copyFrom(csr(key)))
                            .setDeviceName(deviceName())
                            .setPosture(posture())
                            .build());
            config.writePrivate(CERTIFICATE_FILE, pem(response.getCertificate().getCertificateChain(0).toByteArray()));
            config.writePrivate(CA_FILE, pem(response.getCertificate().getTrustAnchors(0).toByteArray()));
            return response;
        } catch (StatusRuntimeException e) {
            throw new IOException("device enrolment refused: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
        }
    }

    /**
     * A fresh certificate for the enrolled device {@code deviceId}, same key (the CSR proves we
     * still hold it), saved over the old one. The caller holds {@link CredentialLock}, so that
     * two processes do not both renew.
     */
    public static DeviceCertificate renew(String server, ClientAccess access, String accessToken, String deviceId, DeviceKey key, ConfigDirectory config)
            throws Exception {
        try (IdentityChannel identity = new IdentityChannel(server, access)) {
            RenewDeviceCertificateResponse response = IdentityChannel.authorized(EnrollmentServiceGrpc.newBlockingStub(identity.channel()),
                    accessToken).renewDeviceCertificate(RenewDeviceCertificateRequest.newBuilder()
                    .setDeviceId(deviceId).setCsr(ByteString.copyFrom(csr(key))).build());
            config.writePrivate(CERTIFICATE_FILE, pem(response.getCertificate().getCertificateChain(0).toByteArray()));
            config.writePrivate(CA_FILE, pem(response.getCertificate().getTrustAnchors(0).toByteArray()));
            return DeviceCertificate.load(config);
        }
    }

    private static byte[] csr(DeviceKey key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=zerogate device"), key.publicKey())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.privateKey())).getEncoded();
    }

    private static String deviceName() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            return host.length() > 64 ? host.substring(0, 64) : host;
        } catch (IOException e) {
            return "device";
        }
    }

    /** What the CLI can tell about this machine without privileges; unknowns stay unset. */
    static DevicePosture posture() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        OperatingSystem kind = os.contains("linux") ? OperatingSystem.OPERATING_SYSTEM_LINUX
                : os.contains("mac") ? OperatingSystem.OPERATING_SYSTEM_MACOS
                : os.contains("windows") ? OperatingSystem.OPERATING_SYSTEM_WINDOWS
                : OperatingSystem.OPERATING_SYSTEM_UNSPECIFIED;
        String version = System.getProperty("os.version", "0").replaceAll("[^0-9.].*$", "");
        Instant now = Instant.now();
        return DevicePosture.newBuilder()
                .setOs(kind)
                .setOsVersion(version.isEmpty() ? "0" : version)
                .setClientVersion(ClientVersion.version())
                .setCollectedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .build();
    }

    private static byte[] pem(byte[] der) {
        return ("-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII);
    }
}
