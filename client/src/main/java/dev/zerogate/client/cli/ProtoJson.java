package dev.zerogate.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code --json} output: the proto3 JSON mapping of the API's own messages (lowerCamelCase
 * names, enums by name, timestamps in RFC 3339, fields at their default omitted), so scripts
 * read exactly what the contract documents. A list is one JSON array; the audit export is one
 * compact object per line (JSON lines).
 */
public final class ProtoJson {

    private static final JsonFormat.Printer PRETTY = JsonFormat.printer();
    private static final JsonFormat.Printer COMPACT = JsonFormat.printer().omittingInsignificantWhitespace();

    private ProtoJson() {
    }

    /** One message, indented. */
    public static String object(MessageOrBuilder message) {
        return print(PRETTY, message);
    }

    /** A JSON array of the messages, each indented inside it. */
    public static String array(List<? extends MessageOrBuilder> messages) {
        if (messages.isEmpty()) {
            return "[]";
        }
        StringBuilder text = new StringBuilder("[\n");
        for (int i = 0; i < messages.size(); i++) {
            text.append("  ").append(print(PRETTY, messages.get(i)).replace("\n", "\n  "));
            text.append(i < messages.size() - 1 ? ",\n" : "\n");
        }
        return text.append(']').toString();
    }

    /** One message on one line, for JSON lines. */
    public static String line(MessageOrBuilder message) {
        return print(COMPACT, message);
    }

    private static String print(JsonFormat.Printer printer, MessageOrBuilder message) {
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException e) {
            // Only messages with Any fields of unknown types fail; the policy API has none.
            throw new UncheckedIOException(e);
        }
    }
}
