package dev.zerogate.client;

import com.google.protobuf.MessageOrBuilder;
import picocli.CommandLine.Option;

import java.util.List;

/** A {@link PolicyCommand} that prints a table or, with {@code --json}, the API's proto3 JSON. */
abstract class PolicyQuery extends PolicyCommand {

    @Option(names = "--json", description = "Print the API's proto3 JSON instead of text (a list is one JSON array).")
    boolean json;

    /** Prints {@code message} as JSON and returns 0. */
    int printJson(Session session, MessageOrBuilder message) {
        session.out().println(ProtoJson.object(message));
        return 0;
    }

    /** Prints {@code messages} as one JSON array and returns 0. */
    int printJson(Session session, List<? extends MessageOrBuilder> messages) {
        session.out().println(ProtoJson.array(messages));
        return 0;
    }
}
