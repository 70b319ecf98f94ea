package dev.edgewire.broadcast;

import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;

/**
 * Sends data to one WebSocket connection through API Gateway's {@code @connections} API, failing
 * as {@link ApiGatewayManagementApiClient#postToConnection} does: {@code GoneException} for a
 * connection that no longer exists, another {@code SdkException} for anything else.
 */
@FunctionalInterface
public interface ConnectionPoster {

    void post(String connectionId, SdkBytes data);

    /** Posts through the SDK's generated client. */
    static ConnectionPoster of(ApiGatewayManagementApiClient client) {
        Objects.requireNonNull(client, "client");
        return (connectionId, data) -> client.postToConnection(PostToConnectionRequest.builder()
                .connectionId(connectionId)
                .data(data)
                .build());
    }
}
