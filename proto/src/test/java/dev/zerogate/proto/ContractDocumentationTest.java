package dev.zerogate.proto;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contracts are the API reference: every service, rpc, message, field, oneof, enum and
 * enum value carries a comment, and every package is versioned. Read from the descriptor set
 * that protoc writes with source info at build time.
 */
class ContractDocumentationTest {

    // Field numbers of descriptor.proto, as used in SourceCodeInfo paths.
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int MESSAGE_ONEOF = 8;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    private static List<FileDescriptorProto> contracts() throws IOException {
        try (InputStream in = ContractDocumentationTest.class.getResourceAsStream("/zerogate/contracts.pb")) {
            assertNotNull(in, "descriptor set missing from the build");
            return FileDescriptorSet.parseFrom(in).getFileList().stream()
                    .filter(f -> f.getPackage().startsWith("zerogate."))
                    .toList();
        }
    }

    @Test
    void everyAreaHasAVersionedContract() throws IOException {
        List<String> packages = contracts().stream().map(FileDescriptorProto::getPackage).sorted().toList();
        assertEquals(List.of("zerogate.connector.v1", "zerogate.identity.v1", "zerogate.policy.v1", "zerogate.relay.v1",
                "zerogate.tunnel.v1"), packages);
    }

    @Test
    void everyElementOfEveryContractIsDocumented() throws IOException {
        List<String> undocumented = new ArrayList<>();
        for (FileDescriptorProto file : contracts()) {
            Map<List<Integer>, String> comments = new HashMap<>();
            for (Location location : file.getSourceCodeInfo().getLocationList()) {
                comments.put(location.getPathList(), location.getLeadingComments() + location.getTrailingComments());
            }
            Checker checker = new Checker(file.getName(), comments, undocumented);
            for (int s = 0; s < file.getServiceCount(); s++) {
                ServiceDescriptorProto service = file.getService(s);
                checker.require(List.of(FILE_SERVICE, s), service.getName());
                for (int m = 0; m < service.getMethodCount(); m++) {
                    checker.require(List.of(FILE_SERVICE, s, SERVICE_METHOD, m), service.getName() + "." + service.getMethod(m).getName());
                }
            }
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                checker.message(List.of(FILE_MESSAGE, i), file.getMessageType(i));
            }
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                checker.enumeration(List.of(FILE_ENUM, i), file.getEnumType(i));
            }
        }
        assertTrue(undocumented.isEmpty(), "undocumented contract elements:\n  " + String.join("\n  ", undocumented));
    }

    @Test
    void everyRpcHasItsOwnRequestAndResponseMessages() throws IOException {
        List<String> shared = new ArrayList<>();
        for (FileDescriptorProto file : contracts()) {
            for (ServiceDescriptorProto service : file.getServiceList()) {
                service.getMethodList().forEach(method -> {
                    String in = method.getInputType().substring(method.getInputType().lastIndexOf('.') + 1);
                    String out = method.getOutputType().substring(method.getOutputType().lastIndexOf('.') + 1);
                    if (!in.equals(method.getName() + "Request") && !in.endsWith("Message")) {
                        shared.add(service.getName() + "." + method.getName() + " takes " + in);
                    }
                    if (!out.equals(method.getName() + "Response") && !out.endsWith("Message") && !out.endsWith("Event")) {
                        shared.add(service.getName() + "." + method.getName() + " returns " + out);
                    }
                });
            }
        }
        assertTrue(shared.isEmpty(), "rpcs without their own XRequest/XResponse:\n  " + String.join("\n  ", shared));
    }

    private record Checker(String file, Map<List<Integer>, String> comments, List<String> undocumented) {

        void require(List<Integer> path, String name) {
            String comment = comments.get(path);
            if (comment == null || comment.isBlank()) {
                undocumented.add(file + ": " + name);
            }
        }

        void message(List<Integer> path, DescriptorProto message) {
            if (message.getOptions().getMapEntry()) {
                return; // synthesised by protoc for map fields; the field carries the comment
            }
            require(path, message.getName());
            for (int f = 0; f < message.getFieldCount(); f++) {
                require(append(path, MESSAGE_FIELD, f), message.getName() + "." + message.getField(f).getName());
            }
            for (int o = 0; o < message.getOneofDeclCount(); o++) {
                String oneof = message.getOneofDecl(o).getName();
                if (!oneof.startsWith("_")) { // synthetic oneofs of proto3 optional fields
                    require(append(path, MESSAGE_ONEOF, o), message.getName() + "." + oneof);
                }
            }
            for (int n = 0; n < message.getNestedTypeCount(); n++) {
                message(append(path, MESSAGE_NESTED, n), message.getNestedType(n));
            }
            for (int e = 0; e < message.getEnumTypeCount(); e++) {
                enumeration(append(path, MESSAGE_ENUM, e), message.getEnumType(e));
            }
        }

        void enumeration(List<Integer> path, EnumDescriptorProto enumeration) {
            require(path, enumeration.getName());
            for (int v = 0; v < enumeration.getValueCount(); v++) {
                require(append(path, ENUM_VALUE, v), enumeration.getName() + "." + enumeration.getValue(v).getName());
            }
        }

        private static List<Integer> append(List<Integer> path, int kind, int index) {
            List<Integer> longer = new ArrayList<>(path);
            longer.add(kind);
            longer.add(index);
            return longer;
        }
    }
}
