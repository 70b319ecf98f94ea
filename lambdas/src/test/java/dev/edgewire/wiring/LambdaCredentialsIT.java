package dev.edgewire.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.testing.ContainerCredentialsEndpoint;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The credentials a function gets when Lambda restores it from a SnapStart snapshot: none in the
 * environment, only a container-credentials endpoint that wants the authorization token. The SDK
 * reads the endpoint's settings from system properties as well as from the environment, which lets
 * this test stand in for the environment Lambda gives (this JVM has no AWS_ACCESS_KEY_ID).
 */
class LambdaCredentialsIT {

    private ContainerCredentialsEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        endpoint = new ContainerCredentialsEndpoint(ContainerCredentialsEndpoint.newRoleSession());
        Map<String, String> variables = endpoint.environment();
        System.setProperty("aws.containerCredentialsFullUri", variables.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
        System.setProperty("aws.containerAuthorizationToken", variables.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    }

    @AfterEach
    void stop() {
        System.clearProperty("aws.containerCredentialsFullUri");
        System.clearProperty("aws.containerAuthorizationToken");
        endpoint.close();
    }

    @Test
    void lambdaCredentials_comeFromTheContainerEndpoint_whenTheEnvironmentHasNone() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null,
                "this JVM's environment holds credentials, which the chain rightly prefers");

        AwsCredentials credentials = CloudServices.lambdaCredentials().resolveCredentials();

        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(credentials.accessKeyId()).isEqualTo(endpoint.credentials().accessKeyId());
        assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo(endpoint.credentials().sessionToken());
        assertThat(endpoint.served()).isEqualTo(1);
        assertThat(endpoint.refused()).isZero();
    }
}
