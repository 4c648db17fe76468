package dev.zerogate.identity.grpc;

import dev.zerogate.identity.service.SecondFactor;
import dev.zerogate.proto.identity.v1.ConfirmTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.ConfirmTotpEnrollmentResponse;
import dev.zerogate.proto.identity.v1.MutinyAccountServiceGrpc;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentResponse;
import dev.zerogate.servicekit.token.PrincipalKind;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.mutiny.Uni;

import java.util.UUID;

/** gRPC adapter for `zerogate.identity.v1.AccountService`: the caller's own second factor. */
@GrpcService
@RegisterInterceptor(AccessTokenInterceptor.class)
public class AccountGrpcService extends MutinyAccountServiceGrpc.AccountServiceImplBase {

    private final SecondFactor secondFactor;
    private final CallerRoles roles;

    AccountGrpcService(SecondFactor secondFactor, CallerRoles roles) {
        this.secondFactor = secondFactor;
        this.roles = roles;
    }

    @Override
    public Uni<StartTotpEnrollmentResponse> startTotpEnrollment(StartTotpEnrollmentRequest request) {
        UUID caller = UUID.fromString(roles.requireKind(PrincipalKind.USER).subject());
        return secondFactor.start(caller)
                .map(enrolment -> StartTotpEnrollmentResponse.newBuilder()
                        .setSecret(enrolment.secret())
                        .setOtpauthUri(enrolment.otpauthUri())
                        .build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<ConfirmTotpEnrollmentResponse> confirmTotpEnrollment(ConfirmTotpEnrollmentRequest request) {
        UUID caller = UUID.fromString(roles.requireKind(PrincipalKind.USER).subject());
        return secondFactor.confirm(caller, request.getCode())
                .replaceWith(ConfirmTotpEnrollmentResponse.getDefaultInstance())
                .onFailure().transform(GrpcErrors::toStatus);
    }
}
