package dev.zerogate.policy.service;

import dev.zerogate.policy.engine.decision.DenyReason;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.proto.EngineMapping;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The decision audit event names protocols and deny reasons as the contract does, for every value. */
class ApiNamesTest {

    @Test
    void decisionDetailsUseTheContractsNames() {
        for (Protocol protocol : Protocol.values()) {
            assertEquals(EngineMapping.toProto(protocol).name(), Authorization.apiName(protocol));
        }
        for (DenyReason reason : DenyReason.values()) {
            assertEquals(EngineMapping.toProto(reason).name(), Authorization.apiName(reason));
        }
    }
}
