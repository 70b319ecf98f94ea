package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.contract.Topology.Function;
import dev.edgewire.local.http.CloudCredentials;
import dev.edgewire.local.http.JettyServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateEventSourceMappingResponse;

/**
 * Local mode's event source mapping calls of the Lambda API, made with the SDK's Lambda client against a
 * web server that serves them: a mapping is listed, described, disabled (its pollers stop) and enabled
 * again (they start), and only signed calls that change {@code Enabled} are taken.
 */
class EventSourceMappingsApiIT {

    private static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:edgewire-readings";
    private static final CloudCredentials LOCAL = new CloudCredentials("LOCALKEY", "local-secret");

    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger stopped = new AtomicInteger();
    private EventSourceMapping mapping;
    private Server server;
    private URI endpoint;

    @BeforeEach
    void startServer() throws Exception {
        mapping = new EventSourceMapping(Function.FAN_OUT, () -> QUEUE_ARN, 10, 10, true, () -> {
            started.incrementAndGet();
            return stopped::incrementAndGet;
        }, Clock.systemUTC()).start();
        server = JettyServers.http("127.0.0.1", 0);
        server.setHandler(new EventSourceMappingsApi(LOCAL, List.of(mapping), new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) {
                response.setStatus(418);
                callback.succeeded();
                return true;
            }
        }));
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + JettyServers.port(server));
    }

    @AfterEach
    void stopServer() {
        JettyServers.stop(server);
        mapping.close();
    }

    private LambdaClient lambda(String secret) {
        return LambdaClient.builder().region(Region.US_EAST_1).endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(LOCAL.accessKeyId(), secret)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void listEventSourceMappings_namesTheMapping_byFunctionNameOrArnAndByQueue() {
        try (LambdaClient lambda = lambda(LOCAL.secretAccessKey())) {
            List<EventSourceMappingConfiguration> byName = lambda.listEventSourceMappings(b -> b
                    .functionName("edgewire-FanOut")).eventSourceMappings();
            List<EventSourceMappingConfiguration> byAlias = lambda.listEventSourceMappings(b -> b
                    .functionName(LocalLambdas.functionArn(Function.FAN_OUT) + ":live").eventSourceArn(QUEUE_ARN))
                    .eventSourceMappings();
            List<EventSourceMappingConfiguration> other = lambda.listEventSourceMappings(b -> b
                    .functionName("edgewire-SendMessage")).eventSourceMappings();

            assertThat(byName).singleElement().satisfies(m -> {
                assertThat(m.uuid()).isEqualTo(EventSourceMapping.uuidOf(Function.FAN_OUT));
                assertThat(m.eventSourceArn()).isEqualTo(QUEUE_ARN);
                assertThat(m.functionArn()).isEqualTo(LocalLambdas.functionArn(Function.FAN_OUT));
                assertThat(m.batchSize()).isEqualTo(10);
                assertThat(m.state()).isEqualTo("Enabled");
                assertThat(m.scalingConfig().maximumConcurrency()).isEqualTo(10);
                assertThat(m.functionResponseTypesAsStrings()).containsExactly("ReportBatchItemFailures");
                assertThat(m.lastModified()).isNotNull();
            });
            assertThat(byAlias).hasSize(1);
            assertThat(other).isEmpty();
        }
    }

    @Test
    void updateEventSourceMapping_disablesThePollers_andEnablingStartsThemAgain() {
        String uuid = mapping.uuid();
        try (LambdaClient lambda = lambda(LOCAL.secretAccessKey())) {
            UpdateEventSourceMappingResponse disabled = lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
            assertThat(disabled.state()).isEqualTo("Disabled");
            assertThat(disabled.sdkHttpResponse().statusCode()).isEqualTo(202);
            assertThat(stopped).hasValue(1);
            assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).state()).isEqualTo("Disabled");

            lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
            assertThat(stopped).as("disabling a disabled mapping changes nothing").hasValue(1);

            assertThat(lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true)).state()).isEqualTo("Enabled");
            assertThat(started).as("started once at first, once again now").hasValue(2);
            assertThat(mapping.enabled()).isTrue();
        }
    }

    @Test
    void aMappingStartedDisabled_startsNoPollers_untilEnabled() {
        AtomicInteger polls = new AtomicInteger();
        try (EventSourceMapping paused = new EventSourceMapping(Function.FAN_OUT, () -> QUEUE_ARN, 10, 10, false, () -> {
            polls.incrementAndGet();
            return () -> { };
        }, Clock.systemUTC()).start()) {
            assertThat(polls).hasValue(0);
            assertThat(paused.configuration()).containsEntry("State", "Disabled");

            paused.setEnabled(true);

            assertThat(polls).hasValue(1);
        }
    }

    @Test
    void anUpdateOfAnotherSetting_orAnUnknownUuid_isRefused_andChangesNothing() {
        try (LambdaClient lambda = lambda(LOCAL.secretAccessKey())) {
            assertThatThrownBy(() -> lambda.updateEventSourceMapping(b -> b.uuid(mapping.uuid()).batchSize(5)))
                    .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("only Enabled");
            assertThatThrownBy(() -> lambda.updateEventSourceMapping(b -> b.uuid("0f0e0d0c-0000-0000-0000-000000000000")
                    .enabled(false))).isInstanceOf(ResourceNotFoundException.class);
            assertThat(mapping.enabled()).isTrue();
            assertThat(stopped).hasValue(0);
        }
    }

    @Test
    void aCallSignedWithAnotherSecret_orNotSigned_isRefusedWith403() throws Exception {
        try (LambdaClient lambda = lambda("not-the-secret")) {
            assertThatThrownBy(() -> lambda.updateEventSourceMapping(b -> b.uuid(mapping.uuid()).enabled(false)))
                    .isInstanceOfSatisfying(LambdaException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                    });
        }
        HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                endpoint.resolve("/2015-03-31/event-source-mappings/" + mapping.uuid()))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Enabled\":false}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
        assertThat(mapping.enabled()).isTrue();
    }

    @Test
    void otherLambdaOperations_getUnknownOperation_andOtherPaths_reachTheWrappedHandler() throws Exception {
        try (LambdaClient lambda = lambda(LOCAL.secretAccessKey())) {
            assertThatThrownBy(() -> lambda.listFunctions())
                    .isInstanceOfSatisfying(LambdaException.class, e -> assertThat(e.awsErrorDetails().errorCode())
                            .isEqualTo("UnknownOperationException"));
        }
        HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.resolve("/demo"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(418);
    }
}
