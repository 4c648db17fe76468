package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.conditions.OperatingSystem;

import java.util.Optional;

/**
 * The caller's enrolled device, from its last posture report to identity-svc and its
 * admin-trusted mark. The adapter passes only an enrolled, unrevoked device; the engine further
 * uses it only when it is the device the caller's token is bound to.
 *
 * @param id device id
 * @param os operating system; UNSPECIFIED when unknown
 * @param osVersion OS version as reported, e.g. "10.0.22631"
 * @param diskEncryption whether the system disk is encrypted
 * @param screenLock whether a screen lock is enabled
 * @param clientVersion zerogate client version as reported, e.g. "0.4.1"
 * @param trusted whether an admin marked the device trusted
 */
public record Device(
        String id,
        OperatingSystem os,
        Optional<String> osVersion,
        PostureFlag diskEncryption,
        PostureFlag screenLock,
        Optional<String> clientVersion,
        boolean trusted) {

    public Device {
        id = id == null ? "" : id;
        os = os == null ? OperatingSystem.UNSPECIFIED : os;
        osVersion = osVersion == null ? Optional.empty() : osVersion;
        diskEncryption = diskEncryption == null ? PostureFlag.UNKNOWN : diskEncryption;
        screenLock = screenLock == null ? PostureFlag.UNKNOWN : screenLock;
        clientVersion = clientVersion == null ? Optional.empty() : clientVersion;
    }
}
