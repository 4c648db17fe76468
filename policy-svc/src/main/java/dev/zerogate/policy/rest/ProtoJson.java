package dev.zerogate.policy.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.policy.service.PolicyError;

import java.util.List;

/** Request and response bodies: the proto3 JSON mapping of the gRPC messages, so both APIs speak one model. */
final class ProtoJson {

    /** Bodies larger than this are refused before parsing. */
    static final int MAX_BODY_CHARS = 1024 * 1024;
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ProtoJson() {}

    static <B extends Message.Builder> B parse(String body, B builder) {
        if (body == null || body.isBlank()) {
            throw PolicyError.invalid("body", "is required: the entity as JSON");
        }
        if (body.length() > MAX_BODY_CHARS) {
            throw PolicyError.invalid("body", "is larger than " + MAX_BODY_CHARS + " characters");
        }
        try {
            PARSER.merge(body, builder);
            return builder;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // The parser's message names the offending field; it never echoes a whole body.
            throw PolicyError.invalid("body", "is not valid JSON for " + builder.getDescriptorForType().getName() + ": "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
        }
    }

    static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {"<field>": [items], "next_page_token": "..."} as the List rpcs answer. */
    static String page(String field, List<? extends Message> items, String nextPageToken) {
        StringBuilder json = new StringBuilder("{\"").append(field).append("\":[");
        for (int i = 0; i < items.size(); i++) {
            json.append(i == 0 ? "" : ",").append(print(items.get(i)));
        }
        return json.append("],\"next_page_token\":").append(io.vertx.core.json.Json.encode(nextPageToken)).append('}').toString();
    }
}
