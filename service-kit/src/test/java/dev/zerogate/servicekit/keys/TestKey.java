package dev.zerogate.servicekit.keys;

import java.time.OffsetDateTime;

/** A row of a table of signing keys, without a table: for tests of the pure parts. */
class TestKey extends StoredSigningKey {

    static TestKey active(String kid, OffsetDateTime createdAt) {
        TestKey key = new TestKey();
        key.activate(new SigningKeyMaterial.Generated(kid, "{\"kid\":\"" + kid + "\"}", new byte[0]), createdAt);
        return key;
    }

    static TestKey retired(String kid, OffsetDateTime createdAt, OffsetDateTime retiredAt, OffsetDateTime notAfter) {
        TestKey key = active(kid, createdAt);
        key.retire(retiredAt, notAfter);
        return key;
    }
}
