package dev.zerogate.policy.store;

import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.PolicyRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RuleRecord;

/**
 * How records are written into rows and log entries. Their stored form is their API form (ADR
 * 0010): a row's {@code body} is the entity as the admin API returns it in proto3 JSON, and a
 * policy_log payload is its protobuf encoding, so that what is read back is exactly what was
 * validated and written, and a stream can forward it as it is. The one implementation lives with
 * the API mapping ({@code dev.zerogate.policy.api.StoredForms}), the only code that knows the
 * messages; the store only moves the text and bytes.
 */
public interface EntityCodec {

    /** The {@code body} column of a connector, resource, group or access rule row. */
    String body(PolicyRecord record);

    ConnectorRecord connector(String body);

    ResourceRecord resource(String body);

    GroupRecord group(String body);

    RuleRecord rule(String body);

    /** The payload of a policy_log entry: the record after the change, or as it was when deleted. */
    byte[] payload(PolicyRecord record);

    /**
     * The record a policy_log payload of {@code kind} holds.
     *
     * @throws IllegalArgumentException when the bytes do not parse as that kind's message
     */
    PolicyRecord payload(LogKind kind, byte[] payload);

    /**
     * The audit details of an admin change, {@code {"before": ..., "after": ...}} with each side
     * in its API form; a side is left out when null (nothing before a create, after a delete).
     */
    String changeDetails(PolicyRecord before, PolicyRecord after);
}
