package dev.edgewire.local.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.UUID;

/**
 * What a topic rule's error action receives when an action could not run: the message of the AWS IoT
 * Developer Guide, "Error handling (error action)", one per rule and message, with the original payload
 * in base64 and one entry per failed action.
 */
public final class ErrorActionMessage {

    /** The name IoT gives a failed SQS action. */
    public static final String SQS_ACTION = "SqsAction";

    private ErrorActionMessage() {
    }

    /**
     * @param ruleName       the rule whose action failed
     * @param topic          the topic the message came on
     * @param clientId       the publisher's client id (a thing name), or null
     * @param payload        the message as published
     * @param failedResource what the action targets (the queue's URL)
     * @param errorMessage   why the action failed
     */
    public static ObjectNode of(ObjectMapper mapper, String ruleName, String topic, String clientId, byte[] payload,
                                String failedResource, String errorMessage) {
        ObjectNode message = mapper.createObjectNode();
        message.put("ruleName", ruleName);
        message.put("topic", topic);
        message.put("cloudwatchTraceId", UUID.randomUUID().toString());
        message.put("clientId", clientId == null ? "" : clientId);
        message.put("base64OriginalPayload", Base64.getEncoder().encodeToString(payload));
        ObjectNode failure = message.putArray("failures").addObject();
        failure.put("failedAction", SQS_ACTION);
        failure.put("failedResource", failedResource);
        failure.put("errorMessage", errorMessage);
        return message;
    }
}
