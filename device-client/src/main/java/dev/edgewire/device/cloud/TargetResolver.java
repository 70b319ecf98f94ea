package dev.edgewire.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.device.DeviceException;
import dev.edgewire.device.DeviceJson;
import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Builds a {@link Target} from three sources, first one wins: flags, then environment variables,
 * then an outputs file ({@code cdk deploy --outputs-file} or local mode's file of the same shape).
 */
public final class TargetResolver {

    private TargetResolver() {
    }

    /**
     * @param flags    values given on the command line (absent or null entries are unset)
     * @param env      the environment (usually {@link System#getenv()})
     * @param outputs  outputs file, or null; when null the environment may name one in {@code EDGEWIRE_OUTPUTS}
     */
    public static Target resolve(Map<Setting, String> flags, Map<String, String> env, Path outputs) {
        Path outputsFile = outputs != null ? outputs
                : blankToNull(env.get("EDGEWIRE_OUTPUTS")) != null ? Path.of(env.get("EDGEWIRE_OUTPUTS")) : null;
        Map<Setting, String> fromFile = outputsFile == null ? Map.of() : readOutputs(outputsFile);

        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = blankToNull(flags.get(setting));
            if (value == null) {
                value = blankToNull(env.get(setting.envVar()));
            }
            if (value == null) {
                value = fromFile.get(setting);
            }
            if (value != null) {
                values.put(setting, value);
            }
        }
        return new Target(
                values.get(Setting.ENDPOINT),
                port(values, Setting.MQTT_PORT, Target.DEFAULT_MQTT_PORT),
                port(values, Setting.HTTPS_PORT, Target.DEFAULT_HTTPS_PORT),
                values.getOrDefault(Setting.THING_NAME, Topology.DEFAULT_THING_NAME),
                values.get(Setting.WEBSOCKET_URL),
                path(values, Setting.CA_FILE),
                path(values, Setting.CERT_FILE),
                path(values, Setting.KEY_FILE),
                values.get(Setting.TOKEN),
                values.get(Setting.CERTIFICATE_ID));
    }

    /**
     * Reads an outputs file, {@code {"<StackName>": {"<OutputKey>": "<value>"}}}, merging every
     * stack's outputs (a key may live in any stack). Relative paths are taken from the file's folder.
     */
    public static Map<Setting, String> readOutputs(Path file) {
        Map<String, String> merged = rawOutputs(file);
        Path base = file.toAbsolutePath().getParent();
        return settings(merged, base);
    }

    /** Every output of every stack in the file, by output key. */
    public static Map<String, String> rawOutputs(Path file) {
        JsonNode root;
        try {
            root = DeviceJson.MAPPER.readTree(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw DeviceException.usage("Outputs file not found: " + file);
        } catch (IOException e) {
            throw DeviceException.usage("Outputs file " + file + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw DeviceException.usage("Outputs file " + file
                    + " must hold an object of stacks, {\"<StackName>\": {\"<OutputKey>\": \"<value>\"}}.");
        }
        Map<String, String> merged = new java.util.HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> stacks = root.fields(); stacks.hasNext(); ) {
            Map.Entry<String, JsonNode> stack = stacks.next();
            if (!stack.getValue().isObject()) {
                throw DeviceException.usage("Outputs file " + file + ": stack " + stack.getKey()
                        + " must map output keys to values.");
            }
            stack.getValue().fields().forEachRemaining(e -> merged.put(e.getKey(), e.getValue().asText()));
        }
        return merged;
    }

    private static Map<Setting, String> settings(Map<String, String> merged, Path base) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = blankToNull(merged.get(setting.outputKey()));
            if (value != null && setting.isPath() && base != null) {
                value = base.resolve(value).toString();
            }
            if (value != null) {
                values.put(setting, value);
            }
        }
        return values;
    }

    private static int port(Map<Setting, String> values, Setting setting, int fallback) {
        String value = values.get(setting);
        if (value == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw DeviceException.usage(setting.outputKey() + " must be a port number from 1 to 65535, not '"
                    + value + "' (from " + setting.flag() + ", " + setting.envVar() + " or the outputs file).");
        }
    }

    private static Path path(Map<Setting, String> values, Setting setting) {
        String value = values.get(setting);
        return value == null ? null : Path.of(value);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
