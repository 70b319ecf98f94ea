package dev.edgewire.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.edgewire.contract.Topology;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

class HandlerFactoryTest {

    private final CloudServices services = CloudServices.builder()
            .dynamoDbClient(mock(DynamoDbClient.class))
            .managementApiClient(mock(ApiGatewayManagementApiClient.class))
            .iotDataClient(mock(IotDataPlaneClient.class))
            .tokenKey("a-test-key-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8))
            .connectionsTable("connections")
            .build();

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void create_buildsTheClassTheTopologyNames(Topology.Function function) {
        RequestHandler<?, ?> handler = HandlerFactory.create(function, services);

        assertThat(handler.getClass().getName()).isEqualTo(function.handlerClass());
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void everyHandlerClass_hasThePublicNoArgumentConstructorLambdaCalls(Topology.Function function) throws Exception {
        Class<?> type = Class.forName(function.handlerClass());

        assertThat(RequestHandler.class).isAssignableFrom(type);
        assertThat(type.getConstructor().canAccess(null)).isTrue();
    }

    @Test
    void collaborators_areBuiltOnce_andShared() {
        assertThat(services.broadcaster()).isSameAs(services.broadcaster());
        assertThat(services.connections()).isSameAs(services.connections());
    }
}
