package dev.edgewire.local.e2e;

import dev.edgewire.local.LocalCloud;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;

/** The AWS SDK's {@code @connections} client, pointed at local mode and signing with its identity. */
public final class ManagementApi {

    private ManagementApi() {
    }

    public static ApiGatewayManagementApiClient client(LocalCloud cloud) {
        return ApiGatewayManagementApiClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(cloud.outputs().get("CallbackUrl")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
