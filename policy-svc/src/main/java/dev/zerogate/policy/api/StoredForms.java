package dev.zerogate.policy.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.PolicyRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.store.EntityCodec;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.Revocation;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Records in their stored form, which is their API form (see {@link EntityCodec}): a row's body is
 * the message in proto3 JSON, a log payload its protobuf encoding, an audit event's details the
 * messages before and after a change.
 */
@ApplicationScoped
public class StoredForms implements EntityCodec {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

    @Override
    public String body(PolicyRecord record) {
        return print(message(record));
    }

    @Override
    public ConnectorRecord connector(String body) {
        return PolicyMessages.record(parse(body, Connector.newBuilder()).build());
    }

    @Override
    public ResourceRecord resource(String body) {
        return PolicyMessages.record(parse(body, Resource.newBuilder()).build());
    }

    @Override
    public GroupRecord group(String body) {
        return PolicyMessages.record(parse(body, Group.newBuilder()).build());
    }

    @Override
    public RuleRecord rule(String body) {
        return PolicyMessages.record(parse(body, AccessRule.newBuilder()).build());
    }

    @Override
    public byte[] payload(PolicyRecord record) {
        return message(record).toByteArray();
    }

    @Override
    public PolicyRecord payload(LogKind kind, byte[] payload) {
        try {
            return switch (kind) {
                case NETWORK_UPSERTED, NETWORK_DELETED -> PolicyMessages.record(RemoteNetwork.parseFrom(payload));
                case CONNECTOR_UPSERTED, CONNECTOR_DELETED -> PolicyMessages.record(Connector.parseFrom(payload));
                case RESOURCE_UPSERTED, RESOURCE_DELETED -> PolicyMessages.record(Resource.parseFrom(payload));
                case GROUP_UPSERTED, GROUP_DELETED -> PolicyMessages.record(Group.parseFrom(payload));
                case RULE_UPSERTED, RULE_DELETED -> PolicyMessages.record(AccessRule.parseFrom(payload));
                case REVOCATION -> PolicyMessages.record(Revocation.parseFrom(payload));
            };
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a " + kind + " payload", e);
        }
    }

    @Override
    public String changeDetails(PolicyRecord before, PolicyRecord after) {
        StringBuilder json = new StringBuilder("{");
        if (before != null) {
            json.append("\"before\":").append(body(before));
        }
        if (after != null) {
            json.append(before != null ? "," : "").append("\"after\":").append(body(after));
        }
        // Through Struct, as the API returns details: numbers are doubles there, and so they are stored.
        Struct.Builder details = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json.append('}').toString(), details);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot render the audit details of a change", e);
        }
        return print(details.build());
    }

    private static Message message(PolicyRecord record) {
        if (record instanceof NetworkRecord network) {
            return PolicyMessages.toProto(network);
        }
        if (record instanceof ConnectorRecord connector) {
            return PolicyMessages.toProto(connector);
        }
        if (record instanceof ResourceRecord resource) {
            return PolicyMessages.toProto(resource);
        }
        if (record instanceof GroupRecord group) {
            return PolicyMessages.toProto(group, true);
        }
        if (record instanceof RuleRecord rule) {
            return PolicyMessages.toProto(rule);
        }
        return PolicyMessages.toProto((RevocationRecord) record);
    }

    static String print(Message message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
        }
    }

    private static <B extends Message.Builder> B parse(String json, B builder) {
        try {
            JSON_PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a " + builder.getDescriptorForType().getName() + " in proto3 JSON", e);
        }
    }
}
