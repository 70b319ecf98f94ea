package dev.edgewire.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudServicesTest {

    @Test
    void fromEnvironment_readsTheSettingsLambdaIsGiven() {
        Map<String, String> env = Map.of(
                "AWS_REGION", "eu-west-1",
                "CONNECTIONS_TABLE", "edgewire-connections",
                "OUTBOUND_TOPIC", "fleet/outbound",
                "COMMAND_TOPIC_TEMPLATE", "fleet/{thingName}/cmd",
                "BROADCAST_CONCURRENCY", "32",
                "SCAN_SEGMENTS", "4",
                "CONNECTION_CACHE_TTL_MS", "250",
                "CONNECTIONS_PER_SUBJECT", "25");

        CloudServices services = CloudServices.fromEnvironment(env::get);

        assertThat(services.connectionsTable()).isEqualTo("edgewire-connections");
        assertThat(services.outboundTopic()).isEqualTo("fleet/outbound");
        assertThat(services.commandTopicTemplate()).isEqualTo("fleet/{thingName}/cmd");
        assertThat(services.broadcastConcurrency()).isEqualTo(32);
        assertThat(services.scanSegments()).isEqualTo(4);
        assertThat(services.connectionCacheTtl()).isEqualTo(Duration.ofMillis(250));
        assertThat(services.connectionsPerSubject()).isEqualTo(25);
    }

    @Test
    void fromEnvironment_usesTheTopologyDefaults_forOptionalSettings() {
        CloudServices services = CloudServices.fromEnvironment(Map.of("CONNECTIONS_TABLE", "t")::get);

        assertThat(services.outboundTopic()).isEqualTo("general/outbound");
        assertThat(services.commandTopicTemplate()).isEqualTo("devices/{thingName}/commands");
        assertThat(services.broadcastConcurrency()).isEqualTo(100);
        assertThat(services.scanSegments()).isEqualTo(1);
        assertThat(services.connectionCacheTtl()).isEqualTo(Duration.ofSeconds(1));
        assertThat(services.connectionsPerSubject()).isEqualTo(10);
    }

    @Test
    void aMissingSetting_isNamed_whenTheClientThatNeedsItIsBuilt() {
        CloudServices services = CloudServices.fromEnvironment(Map.of("AWS_REGION", "eu-west-1")::get);

        assertThatThrownBy(services::managementApi).hasMessageContaining("CALLBACK_URL");
        assertThatThrownBy(services::connections).hasMessageContaining("CONNECTIONS_TABLE");
        assertThatThrownBy(() -> services.tokenKey().get()).hasMessageContaining("TOKEN_SECRET_ARN");
    }

    @Test
    void aSettingThatIsNotANumber_failsTheInit_namingTheVariable() {
        assertThatThrownBy(() -> CloudServices.fromEnvironment(Map.of("BROADCAST_CONCURRENCY", "lots")::get))
                .hasMessageContaining("BROADCAST_CONCURRENCY").hasMessageContaining("lots");
        assertThatThrownBy(() -> CloudServices.fromEnvironment(Map.of("SCAN_SEGMENTS", "0")::get))
                .hasMessageContaining("at least 1");
    }
}
