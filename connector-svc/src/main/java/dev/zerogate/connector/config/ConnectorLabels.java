package dev.zerogate.connector.config;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The connector's labels, shown to admins beside it: {@code ZEROGATE_LABEL_<KEY>=value} from the
 * environment merged with {@code zerogate.connector.labels.<key>} from configuration (the
 * environment wins on the same key). An environment key is lowercased and each {@code _} becomes
 * {@code -} (variable names cannot hold {@code -} or {@code .}): {@code ZEROGATE_LABEL_RACK_UNIT=3}
 * is label {@code rack-unit}. Keys match {@code [a-z0-9._-]{1,63}}, values are at most 255
 * characters, at most 32 labels; anything else stops the start with a message naming each
 * offending label. Checked once, at start ({@link Startup}).
 */
@Startup
@Singleton
public class ConnectorLabels {

    public static final String ENV_PREFIX = "ZEROGATE_LABEL_";
    static final Pattern KEY = Pattern.compile("[a-z0-9._-]{1,63}");
    static final int MAX_VALUE_LENGTH = 255;
    static final int MAX_LABELS = 32;

    private final Map<String, String> labels;

    ConnectorLabels(ConnectorConfig config) {
        this.labels = merge(System.getenv(), config.labels());
    }

    /** Key to value, sorted by key. */
    public Map<String, String> map() {
        return labels;
    }

    /**
     * The labels of {@code environment} (variables named {@code ZEROGATE_LABEL_*}) over those of
     * {@code configured}.
     *
     * @throws IllegalArgumentException listing every invalid label
     */
    public static Map<String, String> merge(Map<String, String> environment, Map<String, String> configured) {
        Map<String, String> merged = new TreeMap<>();
        Map<String, String> origin = new TreeMap<>();
        configured.forEach((key, value) -> {
            merged.put(key, value);
            origin.put(key, "zerogate.connector.labels." + key);
        });
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX)) {
                String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
                merged.put(key, value);
                origin.put(key, name);
            }
        });
        List<String> problems = new ArrayList<>();
        merged.forEach((key, value) -> {
            if (!KEY.matcher(key).matches()) {
                problems.add(origin.get(key) + ": the key \"" + key + "\" must be 1 to 63 of a-z 0-9 . _ -");
            }
            if (value.codePointCount(0, value.length()) > MAX_VALUE_LENGTH) {
                problems.add(origin.get(key) + ": the value is longer than " + MAX_VALUE_LENGTH + " characters");
            }
        });
        if (merged.size() > MAX_LABELS) {
            problems.add(merged.size() + " labels, at most " + MAX_LABELS + " are allowed");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid connector labels: " + String.join("; ", problems));
        }
        return java.util.Collections.unmodifiableMap(merged);
    }
}
