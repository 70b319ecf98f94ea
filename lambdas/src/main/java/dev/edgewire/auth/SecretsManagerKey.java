package dev.edgewire.auth;

import dev.edgewire.runtime.Lazy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * The token keys from a Secrets Manager secret: the versions labelled {@code AWSCURRENT} and, when
 * there is one, {@code AWSPREVIOUS}; each the secret string's UTF-8 bytes, or the secret binary.
 * Read on first use and again once {@link #REFRESH_INTERVAL} has passed, so a rotation reaches every
 * function instance within that time, while tokens minted with the key it replaced keep working.
 *
 * <p>A failed re-read does not fail every connect: the keys last read are used for up to
 * {@link #MAX_STALENESS} after they were read, with another try every {@link #RETRY_INTERVAL} and a
 * warning each time. Beyond that, or when the first read fails, {@link #keys()} throws.
 *
 * <p>Facts from the AWS Secrets Manager API Reference, GetSecretValue
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html): the
 * request is {@code SecretId} with an optional {@code VersionStage} (without one, AWSCURRENT); to
 * get the previous version, ask for {@code VersionStage} AWSPREVIOUS; a label no version carries
 * answers {@code ResourceNotFoundException} ("Secrets Manager can't find the resource that you
 * asked for", HTTP 400). PutSecretValue without {@code VersionStages} moves AWSCURRENT to the new
 * version and AWSPREVIOUS to the one it came from (API_PutSecretValue.html), which is how the
 * README's rotation works. Required permission: {@code secretsmanager:GetSecretValue}, plus
 * {@code kms:Decrypt} only for a customer-managed key.
 */
public final class SecretsManagerKey implements TokenKeys {

    /** How long keys are used before they are read again; a rotation takes effect within this. */
    public static final Duration REFRESH_INTERVAL = Duration.ofMinutes(5);
    /** After a failed read, how long until the next try (not on every connect while Secrets Manager is down). */
    public static final Duration RETRY_INTERVAL = Duration.ofSeconds(30);
    /**
     * How long after their last good read keys are still used while reads fail: a rotation done to
     * shut out a leaked key must not be ignored for longer than this by an instance that cannot read.
     */
    public static final Duration MAX_STALENESS = Duration.ofMinutes(15);

    static final String CURRENT = "AWSCURRENT";
    static final String PREVIOUS = "AWSPREVIOUS";

    private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerKey.class);

    /** Keys as read at {@code readAt}; read again from {@code nextReadAt}. */
    private record Snapshot(List<byte[]> keys, Instant readAt, Instant nextReadAt) {
    }

    private final Supplier<SecretsManagerClient> secretsManager;
    private final String secretArn;
    private final Clock clock;
    private volatile Snapshot snapshot;

    /**
     * @param secretsManager built on first use, so a function that never verifies a token never builds it
     * @param clock          decides when the keys are read again
     */
    public SecretsManagerKey(Supplier<SecretsManagerClient> secretsManager, String secretArn, Clock clock) {
        this.secretsManager = Lazy.of(Objects.requireNonNull(secretsManager, "secretsManager"));
        if (secretArn == null || secretArn.isBlank()) {
            throw new IllegalArgumentException("secretArn must not be blank");
        }
        this.secretArn = secretArn;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public SecretsManagerKey(Supplier<SecretsManagerClient> secretsManager, String secretArn) {
        this(secretsManager, secretArn, Clock.systemUTC());
    }

    /** The current key, then the previous one if the secret has one; copies. */
    @Override
    public List<byte[]> keys() {
        Snapshot s = snapshot;
        if (s == null || !clock.instant().isBefore(s.nextReadAt())) {
            s = refresh();
        }
        return s.keys().stream().map(byte[]::clone).toList();
    }

    private synchronized Snapshot refresh() {
        Snapshot last = snapshot;
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.nextReadAt())) {
            return last; // another thread read them meanwhile
        }
        try {
            Snapshot read = new Snapshot(readKeys(), now, now.plus(REFRESH_INTERVAL));
            if (last == null || !sameKeys(last.keys(), read.keys())) {
                LOG.info("token keys read from {}: {}", secretArn, read.keys().size() == 1 ? CURRENT : CURRENT + " and " + PREVIOUS);
            }
            snapshot = read;
            return read;
        } catch (RuntimeException e) {
            Instant usableUntil = last == null ? now : last.readAt().plus(MAX_STALENESS);
            if (!now.isBefore(usableUntil)) {
                snapshot = null;
                LOG.error("cannot read the token keys from {}{}: {}", secretArn,
                        last == null ? "" : " and the keys read at " + last.readAt() + " are too old to use", e.toString());
                throw new IllegalStateException("the token keys in " + secretArn + " cannot be read", e);
            }
            Instant retryAt = now.plus(RETRY_INTERVAL);
            Snapshot kept = new Snapshot(last.keys(), last.readAt(), retryAt.isBefore(usableUntil) ? retryAt : usableUntil);
            LOG.warn("cannot read the token keys from {} ({}); using those read at {} until {}, next try at {}",
                    secretArn, e.toString(), last.readAt(), usableUntil, kept.nextReadAt());
            snapshot = kept;
            return kept;
        }
    }

    /**
     * After a SnapStart restore: the keys are read again at once, whatever is held. A snapshot may
     * be restored long after it was taken, and every copy restored from it would share what it held
     * (Lambda Developer Guide, "Handling uniqueness with Lambda SnapStart",
     * https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html); reading them here,
     * in the restore hook, rather than in the first verification keeps that read out of the first
     * connect's time. The functions hold no keys before the snapshot (priming reads a throwaway
     * value from a loopback endpoint, through an instance of its own), so nothing secret is in it.
     *
     * <p>Lambda fails a restore whose after-restore hooks run longer than 10 seconds ("Troubleshooting
     * SnapStart errors", SnapStartTimeoutException), and a read that waits on a slow network or a
     * credentials fetch could come near that: the read runs on a thread of its own, and this waits
     * for it at most {@code within}. A read still running then goes on, and the first verification
     * waits for it; a read that fails leaves no keys held, so the first verification reads them
     * again, and fails as a first read does when that read fails too. Nothing here logs a key.
     */
    @Override
    public void refreshNow(Duration within) {
        Objects.requireNonNull(within, "within");
        Thread read = Thread.ofPlatform().daemon().name("token-keys-after-restore").start(this::readNow);
        try {
            if (!read.join(within)) {
                LOG.warn("the token keys from {} are still being read after {} ms; the first verification waits for them",
                        secretArn, within.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void readNow() {
        snapshot = null;
        Instant now = clock.instant();
        try {
            Snapshot read = new Snapshot(readKeys(), now, now.plus(REFRESH_INTERVAL));
            snapshot = read;
            LOG.info("token keys read from {} after the restore: {}", secretArn,
                    read.keys().size() == 1 ? CURRENT : CURRENT + " and " + PREVIOUS);
        } catch (RuntimeException e) {
            LOG.warn("cannot read the token keys from {} after the restore ({}); the first verification reads them",
                    secretArn, e.toString());
        }
    }

    private List<byte[]> readKeys() {
        SecretsManagerClient client = secretsManager.get();
        byte[] current = read(client, CURRENT);
        byte[] previous;
        try {
            previous = read(client, PREVIOUS);
        } catch (ResourceNotFoundException e) {
            // A secret that was never rotated has no AWSPREVIOUS version.
            return List.of(current);
        }
        // A version can carry both labels (for example after a rotation was rolled back).
        return Arrays.equals(current, previous) ? List.of(current) : List.of(current, previous);
    }

    private byte[] read(SecretsManagerClient client, String stage) {
        GetSecretValueResponse secret = client.getSecretValue(GetSecretValueRequest.builder()
                .secretId(secretArn)
                .versionStage(stage)
                .build());
        return Optional.ofNullable(secret.secretString())
                .map(s -> s.getBytes(StandardCharsets.UTF_8))
                .or(() -> Optional.ofNullable(secret.secretBinary()).map(b -> b.asByteArray()))
                .orElseThrow(() -> new IllegalStateException(
                        "secret " + secretArn + " " + stage + " has neither a string nor a binary value"));
    }

    private static boolean sameKeys(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
