package dev.edgewire.systemtests.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An outputs file as {@code cdk deploy --outputs-file} writes it, {@code {"<StackName>": {"<OutputKey>": "<value>"}}},
 * or local mode's file of the same shape. Every stack's outputs are merged: a key may live in any stack.
 */
public record Outputs(Path file, Map<String, String> values) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Outputs {
        values = Map.copyOf(values);
    }

    /** Reads the file; a missing, unreadable or wrongly shaped file is an error that says which. */
    public static Outputs read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("The outputs file " + file.toAbsolutePath() + " does not exist. Write it with "
                    + "'cdk deploy --all --outputs-file cdk-outputs.json' (or use local mode's .local/outputs.json).");
        } catch (IOException e) {
            throw new IllegalStateException("The outputs file " + file.toAbsolutePath() + " is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalStateException("The outputs file " + file.toAbsolutePath()
                    + " must hold {\"<StackName>\": {\"<OutputKey>\": \"<value>\"}}.");
        }
        Map<String, String> merged = new TreeMap<>();
        root.properties().forEach(stack -> {
            if (!stack.getValue().isObject()) {
                throw new IllegalStateException("The outputs file " + file.toAbsolutePath() + ": stack " + stack.getKey()
                        + " must map output keys to values.");
            }
            stack.getValue().properties().forEach(output -> merged.put(output.getKey(), output.getValue().asText()));
        });
        return new Outputs(file, merged);
    }

    /** The output, or an error naming the file and the keys it does have. */
    public String require(String key) {
        return find(key).orElseThrow(() -> new IllegalStateException("The outputs file " + file.toAbsolutePath()
                + " has no " + key + " output; it has " + values.keySet() + "."));
    }

    public Optional<String> find(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
    }
}
