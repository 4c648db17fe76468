package dev.zerogate.policy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A private network (a home LAN, an office, a VPC) that connectors serve and resources live in.
 * The schema is {@code db/migration}'s; this mapping is checked against it at start.
 */
@Entity
@Table(name = "remote_networks")
public class RemoteNetwork {

    @Id
    public UUID id;

    /** Unique, 1 to 100 characters; shown to admins and users. */
    @Column(nullable = false)
    public String name;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** Optimistic concurrency: an update based on an old version fails instead of overwriting. */
    @Version
    public long version;

    public static RemoteNetwork create(String name) {
        RemoteNetwork network = new RemoteNetwork();
        network.id = UUID.randomUUID();
        network.name = name;
        network.createdAt = OffsetDateTime.now();
        return network;
    }
}
