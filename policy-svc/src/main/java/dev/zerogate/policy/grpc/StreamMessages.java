package dev.zerogate.policy.grpc;

import dev.zerogate.policy.StreamEvent;
import dev.zerogate.policy.api.PolicyMessages;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.AccessRuleDeleted;
import dev.zerogate.proto.policy.v1.AccessRuleUpserted;
import dev.zerogate.proto.policy.v1.GroupMembershipChanged;
import dev.zerogate.proto.policy.v1.KeepAlive;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.ResourceDeleted;
import dev.zerogate.proto.policy.v1.ResourceUpserted;
import dev.zerogate.proto.policy.v1.ResyncRequired;
import dev.zerogate.proto.policy.v1.SnapshotBegin;
import dev.zerogate.proto.policy.v1.SnapshotEnd;

/** Policy stream events as {@code zerogate.policy.v1.PolicyEvent}s. */
final class StreamMessages {

    private StreamMessages() {}

    static PolicyEvent toProto(StreamEvent event) {
        PolicyEvent.Builder proto = PolicyEvent.newBuilder().setSequence(event.sequence())
                .setCommittedAt(ProtoTime.timestamp(event.committedAt()));
        StreamEvent.Body body = event.body();
        if (body instanceof StreamEvent.SnapshotBegin begin) {
            proto.setSnapshotBegin(SnapshotBegin.newBuilder().setSnapshotSequence(begin.snapshotSequence())
                    .setEstimatedItemCount(begin.estimatedItemCount()));
        } else if (body instanceof StreamEvent.SnapshotEnd end) {
            proto.setSnapshotEnd(SnapshotEnd.newBuilder().setSnapshotSequence(end.snapshotSequence()).setItemCount(end.itemCount()));
        } else if (body instanceof StreamEvent.ResourceUpserted upserted) {
            proto.setResourceUpserted(ResourceUpserted.newBuilder().setResource(PolicyMessages.toProto(upserted.resource())));
        } else if (body instanceof StreamEvent.ResourceDeleted deleted) {
            proto.setResourceDeleted(ResourceDeleted.newBuilder().setResourceId(deleted.resourceId())
                    .setRemoteNetworkId(deleted.networkId()));
        } else if (body instanceof StreamEvent.RuleUpserted upserted) {
            proto.setRuleUpserted(AccessRuleUpserted.newBuilder().setRule(PolicyMessages.toProto(upserted.rule())));
        } else if (body instanceof StreamEvent.RuleDeleted deleted) {
            proto.setRuleDeleted(AccessRuleDeleted.newBuilder().setRuleId(deleted.ruleId()));
        } else if (body instanceof StreamEvent.MembershipChanged changed) {
            GroupMembershipChanged.Builder membership = GroupMembershipChanged.newBuilder().setGroupId(changed.groupId())
                    .setGroupDeleted(changed.deleted()).setSource(EngineMapping.toProto(changed.source()));
            changed.members().forEach(member -> membership.addMembers(EngineMapping.toProto(member)));
            proto.setGroupMembershipChanged(membership);
        } else if (body instanceof StreamEvent.Revoked revoked) {
            proto.setRevocation(PolicyMessages.toProto(revoked.revocation()));
        } else if (body instanceof StreamEvent.ResyncRequired resync) {
            proto.setResyncRequired(ResyncRequired.newBuilder().setOldestRetainedSequence(resync.oldestRetainedSequence())
                    .setHeadSequence(resync.headSequence()).setReason(resync.reason()));
        } else if (body instanceof StreamEvent.KeepAlive keepAlive) {
            proto.setKeepAlive(KeepAlive.newBuilder().setHeadSequence(keepAlive.headSequence()));
        }
        return proto.build();
    }
}
