package dev.edgewire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.edgewire.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class SecretsManagerKeyTest {

    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-key-AbCdEf";
    private static final String KEY_1 = "first-token-key-0123456789abcdefghijklmnop";
    private static final String KEY_2 = "second-token-key-0123456789abcdefghijklmno";

    private final SecretsManagerClient secrets = mock(SecretsManagerClient.class);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T21:00:00Z"));
    private final SecretsManagerKey key = new SecretsManagerKey(() -> secrets, ARN, clock);

    @Test
    void keys_areReadByTheSecretArn_asAwsCurrentThenAwsPrevious() {
        serve("AWSCURRENT", KEY_2);
        serve("AWSPREVIOUS", KEY_1);

        List<byte[]> keys = key.keys();

        assertThat(keys).containsExactly(bytes(KEY_2), bytes(KEY_1));
        ArgumentCaptor<GetSecretValueRequest> sent = ArgumentCaptor.forClass(GetSecretValueRequest.class);
        verify(secrets, times(2)).getSecretValue(sent.capture());
        assertThat(sent.getAllValues()).extracting(GetSecretValueRequest::secretId, GetSecretValueRequest::versionStage,
                GetSecretValueRequest::versionId).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ARN, "AWSCURRENT", null),
                        org.assertj.core.groups.Tuple.tuple(ARN, "AWSPREVIOUS", null));
    }

    @Test
    void aSecretNeverRotated_hasOnlyItsCurrentKey_whenAwsPreviousIsNotFound() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");

        assertThat(key.keys()).containsExactly(bytes(KEY_1));
    }

    @Test
    void aVersionCarryingBothLabels_isOneKey() {
        serve("AWSCURRENT", KEY_1);
        serve("AWSPREVIOUS", KEY_1);

        assertThat(key.keys()).containsExactly(bytes(KEY_1));
    }

    @Test
    void aBinarySecret_isUsedAsItsBytes() {
        byte[] binary = new byte[40];
        binary[0] = 7;
        when(secrets.getSecretValue(argThat((GetSecretValueRequest r) -> r != null && "AWSCURRENT".equals(r.versionStage()))))
                .thenReturn(GetSecretValueResponse.builder().secretBinary(SdkBytes.fromByteArray(binary)).build());
        noVersion("AWSPREVIOUS");

        assertThat(key.keys()).containsExactly(binary);
    }

    @Test
    void keys_areReadOnce_thenAgainWhenFiveMinutesHavePassed() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");
        key.keys();
        serve("AWSCURRENT", KEY_2);
        serve("AWSPREVIOUS", KEY_1);

        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(key.keys()).containsExactly(bytes(KEY_1));
        verify(secrets, times(2)).getSecretValue(any(GetSecretValueRequest.class));

        clock.advance(Duration.ofSeconds(1));
        assertThat(key.keys()).containsExactly(bytes(KEY_2), bytes(KEY_1));
        verify(secrets, times(4)).getSecretValue(any(GetSecretValueRequest.class));
    }

    @Test
    void refreshNow_readsTheKeysAgain_beforeFiveMinutesHavePassed() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");
        assertThat(key.keys()).containsExactly(bytes(KEY_1));
        serve("AWSCURRENT", KEY_2);
        serve("AWSPREVIOUS", KEY_1);

        key.refreshNow(Duration.ofSeconds(5));

        verify(secrets, times(4)).getSecretValue(any(GetSecretValueRequest.class));
        assertThat(key.keys()).containsExactly(bytes(KEY_2), bytes(KEY_1));
        verify(secrets, times(4)).getSecretValue(any(GetSecretValueRequest.class)); // held, not read on use
    }

    @Test
    void refreshNow_thatFails_holdsNoKeys_soTheNextUseReadsThemAgain() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");
        key.keys();
        when(secrets.getSecretValue(any(GetSecretValueRequest.class))).thenThrow(SdkClientException.create("Connect timed out"));

        key.refreshNow(Duration.ofSeconds(5));

        // The keys from before are not used, though well inside their staleness bound.
        assertThatThrownBy(key::keys).isInstanceOf(IllegalStateException.class).hasMessageContaining(ARN);
        org.mockito.Mockito.reset(secrets);
        serve("AWSCURRENT", KEY_2);
        noVersion("AWSPREVIOUS");
        assertThat(key.keys()).containsExactly(bytes(KEY_2));
    }

    @Test
    void refreshNow_returnsInItsTime_whenTheReadHangs_andTheNextUseWaitsForThatRead() throws Exception {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        when(secrets.getSecretValue(any(GetSecretValueRequest.class))).thenAnswer(call -> {
            answer.await();
            GetSecretValueRequest request = call.getArgument(0);
            if ("AWSPREVIOUS".equals(request.versionStage())) {
                throw ResourceNotFoundException.builder().message("no AWSPREVIOUS").build();
            }
            return GetSecretValueResponse.builder().secretString(KEY_2).build();
        });

        long started = System.nanoTime();
        key.refreshNow(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

        var use = java.util.concurrent.CompletableFuture.supplyAsync(key::keys);
        Thread.sleep(100);
        assertThat(use).isNotDone();
        answer.countDown();
        assertThat(use.get(5, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(bytes(KEY_2));
        verify(secrets, times(2)).getSecretValue(any(GetSecretValueRequest.class)); // one read, not two
    }

    @Test
    void aFailedReRead_keepsTheLastGoodKeys_triesAgainAfterThirtySeconds_andGivesUpAfterFifteenMinutes() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");
        key.keys();
        when(secrets.getSecretValue(any(GetSecretValueRequest.class)))
                .thenThrow(SdkClientException.create("Unable to execute HTTP request: Connect timed out"));

        clock.advance(Duration.ofMinutes(5));
        assertThat(key.keys()).containsExactly(bytes(KEY_1));
        verify(secrets, times(3)).getSecretValue(any(GetSecretValueRequest.class));

        clock.advance(Duration.ofSeconds(29));
        key.keys();
        verify(secrets, times(3)).getSecretValue(any(GetSecretValueRequest.class)); // no try on every connect

        clock.advance(Duration.ofSeconds(1));
        assertThat(key.keys()).containsExactly(bytes(KEY_1));
        verify(secrets, times(4)).getSecretValue(any(GetSecretValueRequest.class));

        clock.advance(Duration.ofMinutes(15).minus(Duration.ofMinutes(5)).minusSeconds(31)); // 1 s before the bound
        assertThat(key.keys()).containsExactly(bytes(KEY_1));
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(key::keys).isInstanceOf(IllegalStateException.class).hasMessageContaining(ARN)
                .hasCauseInstanceOf(SdkClientException.class);
    }

    @Test
    void aFailedReRead_thatSucceedsLater_servesTheNewKeys() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");
        key.keys();
        when(secrets.getSecretValue(any(GetSecretValueRequest.class))).thenThrow(SdkClientException.create("throttled"));
        clock.advance(Duration.ofMinutes(5));
        key.keys();

        serve("AWSCURRENT", KEY_2);
        serve("AWSPREVIOUS", KEY_1);
        clock.advance(SecretsManagerKey.RETRY_INTERVAL);

        assertThat(key.keys()).containsExactly(bytes(KEY_2), bytes(KEY_1));
    }

    @Test
    void aFailedFirstRead_isAnError_notAnEmptyKeyList() {
        when(secrets.getSecretValue(any(GetSecretValueRequest.class))).thenThrow(SdkClientException.create("no route"));

        assertThatThrownBy(key::keys).isInstanceOf(IllegalStateException.class).hasMessageContaining(ARN);
    }

    @Test
    void aMissingCurrentVersion_isAnError() {
        noVersion("AWSCURRENT");
        noVersion("AWSPREVIOUS");

        assertThatThrownBy(key::keys).isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void keys_handedOut_areCopies() {
        serve("AWSCURRENT", KEY_1);
        noVersion("AWSPREVIOUS");

        key.keys().getFirst()[0] = 0;

        assertThat(key.keys()).containsExactly(bytes(KEY_1));
    }

    private void serve(String stage, String value) {
        when(secrets.getSecretValue(argThat((GetSecretValueRequest r) -> r != null && stage.equals(r.versionStage()))))
                .thenReturn(GetSecretValueResponse.builder().arn(ARN).secretString(value).versionStages(stage).build());
    }

    private void noVersion(String stage) {
        when(secrets.getSecretValue(argThat((GetSecretValueRequest r) -> r != null && stage.equals(r.versionStage()))))
                .thenThrow(ResourceNotFoundException.builder()
                        .message("Secrets Manager can't find the specified secret value for staging label: " + stage).build());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
