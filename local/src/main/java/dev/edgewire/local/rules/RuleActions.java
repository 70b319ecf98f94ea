package dev.edgewire.local.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Topology.TopicRule;
import dev.edgewire.local.cost.CostMeter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What IoT Core does with every message the broker or the HTTPS endpoint accepted: runs the topic rules
 * on it and hands each rule's output to the rule's SQS action, which sends it to the readings queue.
 * When the action refuses it (its buffer full, the queue refusing), the rule's error action gets an
 * {@link ErrorActionMessage}; the publisher is never blocked.
 */
public final class RuleActions {

    private static final Logger LOG = LoggerFactory.getLogger(RuleActions.class);

    private final TopicRuleEngine rules;
    private final SqsAction action;
    private final String queueName;
    private final ObjectMapper mapper;
    private final String errorActionName;
    private final Consumer<ObjectNode> errorAction;
    private final CostMeter meter;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param queueName       the readings queue, for error-action messages and the log
     * @param errorActionName where the error action sends its messages, for the log
     * @param errorAction     gets the error-action message of each refused output
     * @param meter           counts the rules triggered and the actions run, as IoT Core bills them
     */
    public RuleActions(TopicRuleEngine rules, SqsAction action, String queueName, ObjectMapper mapper,
                       String errorActionName, Consumer<ObjectNode> errorAction, CostMeter meter) {
        this.meter = meter;
        this.rules = rules;
        this.action = action;
        this.queueName = queueName;
        this.mapper = mapper;
        this.errorActionName = errorActionName;
        this.errorAction = errorAction;
    }

    /** A message from an MQTT client, which {@code clientId} names. */
    public void onMessage(String clientId, String topic, byte[] payload) {
        onMessage(clientId, null, clientId, topic, payload);
    }

    /**
     * @param principal what the rules' {@code principal()} returns: the certificate id of an HTTPS
     *                  publish, else null
     * @param publisher who published, for the log: the client id, or the thing of an HTTPS client certificate
     */
    public void onMessage(String clientId, String principal, String publisher, String topic, byte[] payload) {
        accepted.incrementAndGet();
        List<TopicRuleEngine.Output> outputs;
        try {
            outputs = rules.evaluate(topic, payload, clientId, principal);
        } catch (TopicRuleEngine.RuleException e) {
            LOG.warn("topic rule error on '{}' from {}: {}", topic, publisher, e.getMessage());
            return;
        }
        for (TopicRuleEngine.Output output : outputs) {
            meter.ruleTriggered(payload.length);
            meter.ruleActionExecuted(payload.length);
            send(output, topic, clientId, payload);
        }
    }

    /** Messages handed to the rules, since start. */
    public long acceptedMessages() {
        return accepted.get();
    }

    /** Rule outputs the SQS action refused, since start. */
    public long droppedActions() {
        return dropped.get();
    }

    private void send(TopicRuleEngine.Output output, String topic, String clientId, byte[] payload) {
        TopicRule rule = output.rule();
        String body;
        try {
            body = mapper.writeValueAsString(output.payload());
        } catch (JsonProcessingException e) {
            refused(rule, topic, clientId, payload, "the rule output is not JSON: " + e.getOriginalMessage());
            return;
        }
        if (!action.offer(body, reason -> refused(rule, topic, clientId, payload, reason))) {
            refused(rule, topic, clientId, payload, "Rate exceeded: " + action.waiting() + " readings wait for "
                    + queueName);
        }
    }

    private void refused(TopicRule rule, String topic, String clientId, byte[] payload, String reason) {
        // The error action runs too; the meter counts it as an action executed (not confirmed from AWS).
        meter.ruleActionExecuted(payload.length);
        long refused = dropped.incrementAndGet();
        if (Long.bitCount(refused) == 1) {
            LOG.warn("rule {}: the readings queue refused a reading ({}); {} refused so far, kept in {}",
                    rule.id(), reason, refused, errorActionName);
        }
        errorAction.accept(ErrorActionMessage.of(mapper, rule.id(), topic, clientId, payload, queueName, reason));
    }
}
