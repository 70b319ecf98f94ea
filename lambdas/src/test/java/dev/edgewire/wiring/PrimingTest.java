package dev.edgewire.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.message.DefaultRouteHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class PrimingTest {

    @Test
    void beforeCheckpoint_runsTheCommonPaths_withoutTouchingAnyService() {
        DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
        ApiGatewayManagementApiClient api = mock(ApiGatewayManagementApiClient.class);
        new DefaultRouteHandler(new Broadcaster(api, new ConnectionRepository(dynamoDb, "t", Clock.systemUTC(), 1), 4));

        assertThatCode(Priming::primeCommonPaths).doesNotThrowAnyException();

        verifyNoInteractions(dynamoDb, api);
    }

    @Test
    void priming_writesNoMetricsDocument() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Priming.primeCommonPaths();
        } finally {
            System.setOut(original);
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\"_aws\"");
    }
}
