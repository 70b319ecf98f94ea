package dev.edgewire.local.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Topology.TopicRule;
import dev.edgewire.local.lambda.AsyncInvocations;
import dev.edgewire.local.lambda.LocalLambdas;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What IoT Core does with every message the broker or the HTTPS endpoint accepted: runs the topic rules
 * on it and hands each rule's output to the rule's function as a Lambda action does, by an
 * asynchronous invocation. When Lambda's event queue refuses the invocation, the rule's error action
 * gets an {@link ErrorActionMessage}; the publisher is never blocked.
 */
public final class RuleActions {

    private static final Logger LOG = LoggerFactory.getLogger(RuleActions.class);

    private final TopicRuleEngine rules;
    private final AsyncInvocations invocations;
    private final ObjectMapper mapper;
    private final String errorActionName;
    private final Consumer<ObjectNode> errorAction;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param errorActionName where the error action sends its messages, for the log
     * @param errorAction     gets the error-action message of each refused invocation
     */
    public RuleActions(TopicRuleEngine rules, AsyncInvocations invocations, ObjectMapper mapper,
                       String errorActionName, Consumer<ObjectNode> errorAction) {
        this.rules = rules;
        this.invocations = invocations;
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
            invoke(output, topic, clientId, payload);
        }
    }

    /** Messages handed to the rules, since start. */
    public long acceptedMessages() {
        return accepted.get();
    }

    /** Rule outputs the event queue refused, since start. */
    public long droppedActions() {
        return dropped.get();
    }

    private void invoke(TopicRuleEngine.Output output, String topic, String clientId, byte[] payload) {
        TopicRule rule = output.rule();
        invocations.invoke("rule " + rule.id() + " action " + rule.target(), rule.target(), output.payload(),
                UUID.randomUUID().toString(), refusedAttempt -> {
                    long refused = dropped.incrementAndGet();
                    if (Long.bitCount(refused) == 1) {
                        LOG.warn("rule {}: {} actions waiting, fan-out cannot keep up; {} readings refused so far, kept in {}",
                                rule.id(), invocations.queueLength(), refused, errorActionName);
                    }
                    errorAction.accept(ErrorActionMessage.of(mapper, rule.id(), topic, clientId, payload,
                            LocalLambdas.functionArn(rule.target()), invocations.refusal()));
                });
    }
}
