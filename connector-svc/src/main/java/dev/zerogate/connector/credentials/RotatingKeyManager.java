package dev.zerogate.connector.credentials;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A key manager that always presents the connector's current certificate: an {@code SSLContext}
 * built once keeps serving through every renewal. Each generation has its own alias
 * ({@code connector-N}) and the previous generation stays resolvable, so a handshake that chose
 * its alias just before a renewal still gets a chain and a key that belong together.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {

    /** The key type JSSE asks for: EC P-256 keys only. */
    static final String KEY_TYPE = "EC";
    static final String ALIAS_PREFIX = "connector-";

    /** Replaced whole; read by handshakes on any thread. */
    private volatile Generations generations = new Generations(null, null);

    private record Generations(CertificateGeneration latest, CertificateGeneration previous) {
    }

    /** Makes {@code generation} the one presented from now on. */
    public void update(CertificateGeneration generation) {
        Generations now = generations;
        if (now.latest() == null || now.latest().number() != generation.number()) {
            generations = new Generations(generation, now.latest());
        }
    }

    private String alias(String keyType) {
        CertificateGeneration latest = generations.latest();
        return latest == null || !KEY_TYPE.equals(keyType) ? null : ALIAS_PREFIX + latest.number();
    }

    private String alias(String[] keyTypes) {
        if (keyTypes != null) {
            for (String keyType : keyTypes) {
                String alias = alias(keyType);
                if (alias != null) {
                    return alias;
                }
            }
        }
        return null;
    }

    private CertificateGeneration lookup(String alias) {
        Generations now = generations;
        for (CertificateGeneration generation : new CertificateGeneration[] {now.latest(), now.previous()}) {
            if (generation != null && (ALIAS_PREFIX + generation.number()).equals(alias)) {
                return generation;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = alias(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return alias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertificateGeneration generation = lookup(alias);
        return generation == null ? null : generation.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertificateGeneration generation = lookup(alias);
        return generation == null ? null : generation.privateKey();
    }
}
