package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

class MessageRateLimitTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private final MutableClock clock = new MutableClock(NOW);
    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
    private final MessageRateLimit limit = new MessageRateLimit(new ConnectionRepository(dynamoDb, "connections", clock, 1), clock);

    @Test
    void overTheLimit_aStoreThatDoesNotSayWhatTheRowHolds_isReadOnce_andTheNextRefusalsCostNoCall() {
        long clockOnTheRow = NOW.toEpochMilli() + 3_000;
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenAnswer(call -> {
            UpdateItemRequest request = call.getArgument(0);
            if (request.updateExpression().equals("SET #clock = #clock")) {
                return UpdateItemResponse.builder().attributes(Map.of(ConnectionTable.MESSAGE_CLOCK,
                        AttributeValue.fromN(Long.toString(clockOnTheRow)))).build();
            }
            throw ConditionalCheckFailedException.builder().message("The conditional request failed").build();
        });

        assertThat(limit.admit("flooder")).isEqualTo(new MessageRateLimit.Decision.Refused(3_000 - 1_900));
        // restart, add, then the read
        verify(dynamoDb, times(3)).updateItem(any(UpdateItemRequest.class));

        clock.advance(Duration.ofMillis(500));
        assertThat(limit.admit("flooder")).isEqualTo(new MessageRateLimit.Decision.Refused(600));
        assertThat(limit.admit("flooder")).isEqualTo(new MessageRateLimit.Decision.Refused(600));
        verify(dynamoDb, times(3)).updateItem(any(UpdateItemRequest.class));
    }

    @Test
    void aKnownClockAfterNow_isOnlyMovedOn_byOneInterval() {
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenReturn(UpdateItemResponse.builder()
                .attributes(Map.of(ConnectionTable.MESSAGE_CLOCK, AttributeValue.fromN(Long.toString(NOW.toEpochMilli() + 100))))
                .build());
        limit.admit("sender");

        limit.admit("sender");

        ArgumentCaptor<UpdateItemRequest> updates = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb, times(2)).updateItem(updates.capture());
        assertThat(updates.getAllValues().get(0).updateExpression()).isEqualTo("SET #clock = :next");
        assertThat(updates.getAllValues().get(1).updateExpression()).isEqualTo("SET #clock = #clock + :interval");
        assertThat(updates.getAllValues().get(1).conditionExpression()).isEqualTo("attribute_exists(#id) AND #clock BETWEEN :from AND :until");
        assertThat(updates.getAllValues().get(1).expressionAttributeValues()).containsEntry(":interval", AttributeValue.fromN("100"))
                .containsEntry(":from", AttributeValue.fromN(Long.toString(NOW.toEpochMilli())))
                .containsEntry(":until", AttributeValue.fromN(Long.toString(NOW.toEpochMilli() + 1_900)));
    }

    @Test
    void aStoreThatCannotBeReached_letsTheMessageGo() {
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenThrow(DynamoDbException.builder().statusCode(500).message("down").build());

        assertThat(limit.admit("sender")).isInstanceOf(MessageRateLimit.Decision.Allowed.class);
    }
}
