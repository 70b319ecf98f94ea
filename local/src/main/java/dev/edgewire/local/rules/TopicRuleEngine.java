package dev.edgewire.local.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.TopicRule;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the IoT topic rules of {@link Topology#TOPIC_RULES} on each message, as the IoT rules
 * engine does for the subset of IoT SQL the rules use: {@code SELECT *} plus projections of
 * {@code topic()}, {@code topic(n)}, {@code clientid()}, {@code principal()} and {@code timestamp()}, {@code FROM} an MQTT
 * topic filter. A rule whose SQL uses anything else is refused when the engine is built, so a new
 * rule cannot silently behave differently here than on AWS.
 */
public final class TopicRuleEngine {

    private static final Pattern SELECT = Pattern.compile(
            "^SELECT\\s+(?<items>.+?)\\s+FROM\\s+'(?<filter>[^']+)'\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern PROJECTION = Pattern.compile(
            "^(?<fn>topic|clientid|principal|timestamp)\\((?<arg>\\d*)\\)\\s+AS\\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)$",
            Pattern.CASE_INSENSITIVE);

    /** A rule's output for one message: the JSON the rule's action receives. */
    public record Output(TopicRule rule, ObjectNode payload) {
    }

    /** What {@code clientid()} returns for a message that did not come over MQTT (AWS IoT SQL reference, "clientid()"). */
    public static final String NOT_MQTT = "n/a";

    /** A message the engine could not evaluate (the rule's error action on AWS). */
    public static final class RuleException extends Exception {
        RuleException(String message) {
            super(message);
        }
    }

    private record Projection(String function, int argument, String name) {
    }

    private record CompiledRule(TopicRule rule, String filter, List<Projection> projections) {
    }

    private final List<CompiledRule> rules;
    private final ObjectMapper mapper;
    private final Clock clock;

    public TopicRuleEngine(List<TopicRule> rules, ObjectMapper mapper, Clock clock) {
        this.rules = rules.stream().map(TopicRuleEngine::compile).toList();
        this.mapper = mapper;
        this.clock = clock;
    }

    /**
     * The outputs of every rule whose filter matches {@code topic}. A payload that is not a JSON object
     * cannot take the projections: that rule fails with {@link RuleException}, as on AWS.
     */
    public List<Output> evaluate(String topic, byte[] payload, String clientId) throws RuleException {
        return evaluate(topic, payload, clientId, null);
    }

    /**
     * As {@link #evaluate(String, byte[], String)}, with the publisher's {@code principal()}: the
     * certificate id of a certificate-authenticated client.
     */
    public List<Output> evaluate(String topic, byte[] payload, String clientId, String principal) throws RuleException {
        List<Output> outputs = new ArrayList<>();
        JsonNode parsed = null;
        for (CompiledRule compiled : rules) {
            if (!matches(compiled.filter(), topic)) {
                continue;
            }
            if (parsed == null) {
                parsed = parse(payload, compiled.rule());
            }
            ObjectNode out = ((ObjectNode) parsed).deepCopy();
            long now = clock.millis();
            for (Projection p : compiled.projections()) {
                switch (p.function()) {
                    case "topic" -> {
                        if (p.argument() == 0) {
                            out.put(p.name(), topic);
                        } else {
                            String[] levels = topic.split("/", -1);
                            if (p.argument() <= levels.length) {
                                out.put(p.name(), levels[p.argument() - 1]);
                            } else {
                                out.remove(p.name());
                            }
                        }
                    }
                    case "clientid" -> out.put(p.name(), clientId == null ? "" : clientId);
                    case "principal" -> out.put(p.name(), principal == null ? "" : principal);
                    case "timestamp" -> out.put(p.name(), now);
                    default -> throw new IllegalStateException(p.function());
                }
            }
            outputs.add(new Output(compiled.rule(), out));
        }
        return outputs;
    }

    private JsonNode parse(byte[] payload, TopicRule rule) throws RuleException {
        try {
            JsonNode node = mapper.readTree(payload);
            if (node == null || !node.isObject()) {
                throw new RuleException("rule " + rule.id() + ": payload is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new RuleException("rule " + rule.id() + ": payload is not valid JSON");
        }
    }

    /** MQTT topic filter matching: {@code +} one level, {@code #} the rest. */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private static CompiledRule compile(TopicRule rule) {
        Matcher m = SELECT.matcher(rule.sql().trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported rule SQL for " + rule.id() + ": " + rule.sql());
        }
        List<Projection> projections = new ArrayList<>();
        boolean star = false;
        for (String item : m.group("items").split(",")) {
            String trimmed = item.trim();
            if (trimmed.equals("*")) {
                star = true;
                continue;
            }
            Matcher p = PROJECTION.matcher(trimmed);
            if (!p.matches()) {
                throw new IllegalArgumentException("unsupported projection in rule " + rule.id() + ": " + trimmed);
            }
            String arg = p.group("arg");
            projections.add(new Projection(p.group("fn").toLowerCase(java.util.Locale.ROOT),
                    arg.isEmpty() ? 0 : Integer.parseInt(arg), p.group("name")));
        }
        if (!star) {
            throw new IllegalArgumentException("rule " + rule.id() + " must select *: " + rule.sql());
        }
        return new CompiledRule(rule, m.group("filter"), List.copyOf(projections));
    }

    /** For log lines: which rules exist and what they select from. */
    public Map<String, String> describe() {
        java.util.LinkedHashMap<String, String> d = new java.util.LinkedHashMap<>();
        rules.forEach(r -> d.put(r.rule().id(), r.filter()));
        return d;
    }
}
