package dev.edgewire.wiring;

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
    void create_buildsAHandlerOfTheEventAndResponseTypesLambdaReadsOffTheFunctionsClass(Topology.Function function)
            throws Exception {
        RequestHandler<?, ?> handler = HandlerFactory.create(function, services);

        assertThat(requestHandlerTypes(handler.getClass()))
                .isEqualTo(declaredHandleRequestTypes(Class.forName(function.handlerClass())));
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void everyFunctionClass_hasThePublicNoArgumentConstructorLambdaCalls_andNamesItsTypesItself(
            Topology.Function function) throws Exception {
        Class<?> type = Class.forName(function.handlerClass());

        assertThat(RequestHandler.class).isAssignableFrom(type);
        assertThat(type.getConstructor().canAccess(null)).isTrue();
        // The runtime reads the event type off the handleRequest the class declares; Object would mean a map.
        assertThat(declaredHandleRequestTypes(type)).doesNotContain(Object.class);
    }

    /** Event and response type of the {@code handleRequest} the class declares (not a bridge). */
    private static java.util.List<java.lang.reflect.Type> declaredHandleRequestTypes(Class<?> type) {
        return java.util.Arrays.stream(type.getDeclaredMethods())
                .filter(m -> m.getName().equals("handleRequest") && !m.isBridge())
                .map(m -> java.util.List.of(m.getGenericParameterTypes()[0], m.getGenericReturnType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(type + " declares no handleRequest of its own"));
    }

    /** The type arguments of the {@code RequestHandler} the class itself implements. */
    private static java.util.List<java.lang.reflect.Type> requestHandlerTypes(Class<?> type) {
        return java.util.Arrays.stream(type.getGenericInterfaces())
                .filter(t -> t instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == RequestHandler.class)
                .map(t -> java.util.List.of(((java.lang.reflect.ParameterizedType) t).getActualTypeArguments()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(type + " does not implement RequestHandler<I, O> itself"));
    }

    @Test
    void collaborators_areBuiltOnce_andShared() {
        assertThat(services.broadcaster()).isSameAs(services.broadcaster());
        assertThat(services.connections()).isSameAs(services.connections());
    }
}
