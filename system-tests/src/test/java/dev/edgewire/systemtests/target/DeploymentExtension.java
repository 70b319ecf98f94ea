package dev.edgewire.systemtests.target;

import dev.edgewire.local.LocalCloud;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Hands every contract test the one {@link Deployment} of the run, made on first use and closed when
 * the run ends. {@code edgewire.target} chooses it (the build sets it):
 * <ul>
 *   <li>{@code local} (the default build): starts local mode and reads the outputs file it writes;
 *   <li>{@code aws} ({@code -Paws}): reads {@code edgewire.outputs}, the file {@code cdk deploy
 *       --outputs-file} wrote, and starts nothing.
 * </ul>
 */
public final class DeploymentExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DeploymentExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Deployment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Deployment.class, key -> open(), Deployment.class);
    }

    private static Deployment open() {
        Map<String, String> properties = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("edgewire."))
                .forEach(n -> properties.put(n, System.getProperty(n)));
        // Relative paths on the command line are meant from where ./mvnw runs: the checkout's root.
        Path root = Path.of(properties.getOrDefault("edgewire.root", "")).toAbsolutePath();
        String target = properties.getOrDefault("edgewire.target", "local");
        try {
            return switch (target) {
                case "aws" -> deployedStack(properties, root);
                case "local" -> localMode(properties, root);
                default -> throw new IllegalStateException("edgewire.target is '" + target + "'; it is 'local' or 'aws'.");
            };
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private static Deployment deployedStack(Map<String, String> properties, Path root) {
        String file = properties.get("edgewire.outputs");
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("-Paws runs the contract suite against a deployed stack: give its outputs file, "
                    + "-Dedgewire.outputs=cdk-outputs.json (from 'cdk deploy --all --outputs-file cdk-outputs.json'). "
                    + "See \"Contract suite against a deployed stack\" in the README.");
        }
        Outputs outputs = Outputs.read(root.resolve(file));
        AwsCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        String problem = "";
        Optional<AwsCredentialsProvider> credentials = Optional.of(chain);
        try {
            chain.resolveCredentials();
        } catch (SdkClientException e) {
            credentials = Optional.empty();
            problem = "the default credentials chain found none (" + e.getMessage() + ")";
        }
        Optional<Region> region;
        try {
            region = Optional.of(new DefaultAwsRegionProviderChain().getRegion());
        } catch (SdkClientException e) {
            region = Optional.empty();
        }
        return Deployment.resolve("the deployed stack", outputs, properties, root, region, credentials, problem);
    }

    private static Deployment localMode(Map<String, String> properties, Path root) throws Exception {
        Path state = Path.of(properties.getOrDefault("edgewire.localState", "target/local-mode")).toAbsolutePath();
        LocalModeProcess local = LocalModeProcess.start(root, state);
        try {
            Map<String, String> withKey = new HashMap<>(properties);
            withKey.putIfAbsent("edgewire.tokenKeyFile", local.tokenKeyFile().toString());
            // Local mode's own AWS identity: its @connections API checks SigV4 signatures with this secret.
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey()));
            Deployment deployment = Deployment.resolve("local mode", Outputs.read(local.outputsFile()), withKey, root,
                    Optional.of(Region.US_EAST_1), Optional.of(credentials), "");
            deployment.own(local);
            return deployment;
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }
}
