package dev.edgewire.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology;
import dev.edgewire.message.DefaultRouteHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void priming_writesNoMetricsDocument(Topology.Function function) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Priming.prime(function);
        } finally {
            System.setOut(original);
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\"_aws\"");
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void roundTrips_makeTheFunctionsCalls_signedWithSigV4_againstTheLoopbackEndpoint(Topology.Function function)
            throws Exception {
        Priming.RoundTrips trips = Priming.primeRoundTrips(function);

        List<PrimingEndpoint.Call> sdkCalls = trips.calls().stream().filter(call -> !call.operation().equals("Close")).toList();
        List<String> operations = sdkCalls.stream().map(PrimingEndpoint.Call::operation).toList();
        assertThat(sdkCalls).isNotEmpty().allSatisfy(call -> assertThat(call.signed()).as(call.operation()).isTrue());
        // Last, the requests whose answers close the connections the JDK would otherwise keep.
        assertThat(trips.calls().getLast().operation()).isEqualTo("Close");
        assertThat(operations).noneMatch(op -> op.startsWith("unknown"));
        var services = Priming.servicesOf(function);
        if (services.contains(Priming.Service.DYNAMODB)) {
            assertThat(operations).contains("PutItem", "UpdateItem", "GetItem", "DeleteItem", "Scan");
        }
        if (services.contains(Priming.Service.CONNECTIONS)) {
            assertThat(operations).contains("PostToConnection");
        }
        if (services.contains(Priming.Service.IOT_DATA)) {
            assertThat(operations).contains("Publish");
        }
        if (services.contains(Priming.Service.SQS)) {
            assertThat(operations).contains("SendMessage", "ReceiveMessage", "DeleteMessageBatch");
        }
        if (services.contains(Priming.Service.SECRETS_MANAGER)) {
            assertThat(operations).containsExactly("GetSecretValue", "GetSecretValue");
        }
        if (services.contains(Priming.Service.LAMBDA)) {
            assertThat(operations).contains("Invoke");
        }
    }

    @Test
    void eachFunction_primesTheServicesItsHandlerCalls() {
        assertThat(Priming.servicesOf(Topology.Function.AUTHORIZER)).containsExactly(Priming.Service.SECRETS_MANAGER);
        assertThat(Priming.servicesOf(Topology.Function.CONNECT)).containsExactly(Priming.Service.DYNAMODB);
        assertThat(Priming.servicesOf(Topology.Function.SEND_MESSAGE)).contains(Priming.Service.DYNAMODB,
                Priming.Service.CONNECTIONS, Priming.Service.IOT_DATA, Priming.Service.SQS);
        assertThat(Priming.servicesOf(Topology.Function.FAN_OUT)).contains(Priming.Service.DYNAMODB,
                Priming.Service.CONNECTIONS, Priming.Service.SQS, Priming.Service.LAMBDA);
    }

    @Test
    void roundTrips_leaveNoServerThreadOrConnectionOpen() throws Exception {
        // Once, so that what the first use of a class opens (jar files, the keep-alive machinery) is open already.
        Priming.primeRoundTrips(Topology.Function.SEND_MESSAGE);
        long openBefore = openFileDescriptors();

        Priming.RoundTrips trips = Priming.primeRoundTrips(Topology.Function.SEND_MESSAGE);

        assertThat(openFileDescriptors()).as("open file descriptors after priming").isLessThanOrEqualTo(openBefore);
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), trips.port()).close())
                .as("the loopback endpoint is stopped").isInstanceOf(ConnectException.class);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("HTTP-Dispatcher"));
    }

    private static long openFileDescriptors() {
        return ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getOpenFileDescriptorCount();
    }
}
