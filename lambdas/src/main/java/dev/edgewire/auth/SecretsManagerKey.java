package dev.edgewire.auth;

import dev.edgewire.runtime.Lazy;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * The token key from a Secrets Manager secret, read once on first use and kept for the life of
 * the function instance: the secret string's UTF-8 bytes, or the secret binary.
 */
public final class SecretsManagerKey implements Supplier<byte[]> {

    private final Lazy<byte[]> key;

    public SecretsManagerKey(Supplier<SecretsManagerClient> secretsManager, String secretArn) {
        Objects.requireNonNull(secretsManager, "secretsManager");
        if (secretArn == null || secretArn.isBlank()) {
            throw new IllegalArgumentException("secretArn must not be blank");
        }
        this.key = Lazy.of(() -> read(secretsManager.get(), secretArn));
    }

    @Override
    public byte[] get() {
        return key.get().clone();
    }

    private static byte[] read(SecretsManagerClient client, String secretArn) {
        GetSecretValueResponse secret = client.getSecretValue(GetSecretValueRequest.builder().secretId(secretArn).build());
        if (secret.secretString() != null) {
            return secret.secretString().getBytes(StandardCharsets.UTF_8);
        }
        if (secret.secretBinary() != null) {
            return secret.secretBinary().asByteArray();
        }
        throw new IllegalStateException("secret " + secretArn + " has neither a string nor a binary value");
    }
}
