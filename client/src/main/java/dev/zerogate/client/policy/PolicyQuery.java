package dev.zerogate.client.policy;

import com.google.protobuf.MessageOrBuilder;
import dev.zerogate.client.cli.ProtoJson;
import picocli.CommandLine.Option;

import java.util.List;

/** A {@link PolicyCommand} that prints a table or, with {@code --json}, the API's proto3 JSON. */
public abstract class PolicyQuery extends PolicyCommand {

    @Option(names = "--json", description = "Print the API's proto3 JSON instead of text (a list is one JSON array).")
    protected boolean json;

    /** Prints {@code message} as JSON and returns 0. */
    protected int printJson(PolicyCall call, MessageOrBuilder message) {
        call.out().println(ProtoJson.object(message));
        return 0;
    }

    /** Prints {@code messages} as one JSON array and returns 0. */
    protected int printJson(PolicyCall call, List<? extends MessageOrBuilder> messages) {
        call.out().println(ProtoJson.array(messages));
        return 0;
    }
}
