package dev.edgewire.local.cost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SqsBillingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NONE = new byte[0];

    private static SqsBilling.Call json(String action, ObjectNode body, String answer, String billedAs) throws Exception {
        return new SqsBilling.Call("AmazonSQS." + action, "application/x-amz-json-1.0", null,
                JSON.writeValueAsBytes(body), answer.getBytes(StandardCharsets.UTF_8), billedAs);
    }

    private static ObjectNode message(int bodyBytes) {
        return JSON.createObjectNode().put("MessageBody", "x".repeat(bodyBytes));
    }

    private static ObjectNode batch(int entries, int bodyBytes) {
        ObjectNode body = JSON.createObjectNode().put("QueueUrl", "http://127.0.0.1/000000000000/q");
        ArrayNode list = body.putArray("Entries");
        for (int i = 0; i < entries; i++) {
            list.add(message(bodyBytes).put("Id", Integer.toString(i)));
        }
        return body;
    }

    @Test
    void sendMessage_isOneRequestPerStarted64KbOfItsBody() throws Exception {
        assertThat(SqsBilling.bill(json("SendMessage", message(200), "{}", null)))
                .isEqualTo(new SqsBilling.Bill("SendMessage", 1, false));
        assertThat(SqsBilling.bill(json("SendMessage", message(65_536), "{}", null)).requests()).isEqualTo(1);
        assertThat(SqsBilling.bill(json("SendMessage", message(65_537), "{}", null)).requests()).isEqualTo(2);
        assertThat(SqsBilling.bill(json("SendMessage", message(256 * 1024), "{}", null)).requests()).isEqualTo(4);
    }

    @Test
    void messageAttributes_countTowardThePayload_nameTypeAndValue() throws Exception {
        ObjectNode body = message(65_530);
        // 4 + 6 + 5 = 15 bytes of attribute: 65,545 in all, over one chunk.
        body.putObject("MessageAttributes").putObject("attr").put("DataType", "String").put("StringValue", "value");
        assertThat(SqsBilling.bill(json("SendMessage", body, "{}", null)).requests()).isEqualTo(2);
    }

    @Test
    void aBatchOfTen_isOneRequest_whileItsWholePayloadFitsIn64Kb() throws Exception {
        assertThat(SqsBilling.bill(json("SendMessageBatch", batch(10, 200), "{}", null)))
                .isEqualTo(new SqsBilling.Bill("SendMessageBatch", 1, false));
        // 10 x 10,000 bytes = 100,000 bytes: two chunks.
        assertThat(SqsBilling.bill(json("SendMessageBatch", batch(10, 10_000), "{}", null)).requests()).isEqualTo(2);
    }

    @Test
    void theRuleActionsBatch_isBilledAsOneSendMessagePerEntry_asAwsIotSendsThem() throws Exception {
        assertThat(SqsBilling.bill(json("SendMessageBatch", batch(10, 200), "{}", SqsBilling.IOT_RULE_ACTION)))
                .isEqualTo(new SqsBilling.Bill("SendMessage", 10, false));
        assertThat(SqsBilling.bill(json("SendMessageBatch", batch(3, 70_000), "{}", SqsBilling.IOT_RULE_ACTION)))
                .isEqualTo(new SqsBilling.Bill("SendMessage", 6, false));
    }

    @Test
    void receiveMessage_isBilledOnTheMessagesItReturns_andAnEmptyReceiveIsOneRequest() throws Exception {
        ObjectNode request = JSON.createObjectNode().put("QueueUrl", "q").put("MaxNumberOfMessages", 10).put("WaitTimeSeconds", 20);
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode messages = answer.putArray("Messages");
        for (int i = 0; i < 2; i++) {
            messages.addObject().put("MessageId", "m" + i).put("ReceiptHandle", "r".repeat(400))
                    .put("Body", "y".repeat(40_000)).putObject("Attributes").put("SentTimestamp", "1");
        }
        assertThat(SqsBilling.bill(json("ReceiveMessage", request, JSON.writeValueAsString(answer), null)))
                .isEqualTo(new SqsBilling.Bill("ReceiveMessage", 2, false));
        assertThat(SqsBilling.bill(json("ReceiveMessage", request, "{}", null)))
                .isEqualTo(new SqsBilling.Bill("ReceiveMessage", 1, true));
        assertThat(SqsBilling.bill(json("ReceiveMessage", request, "{\"Messages\":[]}", null)).emptyReceive()).isTrue();
    }

    @Test
    void actionsWithoutMessages_areOneRequestEach() throws Exception {
        ObjectNode delete = JSON.createObjectNode().put("QueueUrl", "q");
        delete.putArray("Entries").addObject().put("Id", "0").put("ReceiptHandle", "h".repeat(70_000));
        assertThat(SqsBilling.bill(json("DeleteMessageBatch", delete, "{}", null)))
                .isEqualTo(new SqsBilling.Bill("DeleteMessageBatch", 1, false));
        assertThat(SqsBilling.bill(json("GetQueueAttributes", JSON.createObjectNode(), "{}", null)).requests()).isEqualTo(1);
    }

    @Test
    void theQueryProtocol_isReadFromTheFormAndTheXmlAnswer() {
        String form = "Action=SendMessage&QueueUrl=q&MessageBody=" + URLEncoder.encode("z".repeat(70_000), StandardCharsets.UTF_8);
        assertThat(SqsBilling.bill(new SqsBilling.Call(null, "application/x-www-form-urlencoded; charset=utf-8", null,
                form.getBytes(StandardCharsets.UTF_8), NONE, null))).isEqualTo(new SqsBilling.Bill("SendMessage", 2, false));

        String xml = "<ReceiveMessageResponse><ReceiveMessageResult><Message><Body>" + "w".repeat(70_000)
                + "</Body></Message></ReceiveMessageResult></ReceiveMessageResponse>";
        assertThat(SqsBilling.bill(new SqsBilling.Call(null, null, "Action=ReceiveMessage&QueueUrl=q", NONE,
                xml.getBytes(StandardCharsets.UTF_8), null))).isEqualTo(new SqsBilling.Bill("ReceiveMessage", 2, false));
    }
}
