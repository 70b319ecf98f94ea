package dev.edgewire.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;

/**
 * The CDK app ({@code cdk.json} runs it): a stateful stack and a stateless one that uses it,
 * checked by cdk-nag's AwsSolutions rules on every synthesis.
 */
public final class EdgewireApp {

    public static final String STATEFUL_STACK = "EdgewireStateful";
    public static final String STATELESS_STACK = "EdgewireStateless";

    /** The two stacks of one deployment. */
    public record Deployment(StatefulStack stateful, StatelessStack stateless) {
    }

    private EdgewireApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        DeploymentSettings settings;
        try {
            settings = DeploymentSettings.fromContext(app.getNode());
        } catch (IllegalArgumentException e) {
            System.err.println("edgewire: " + e.getMessage());
            System.exit(2);
            return;
        }
        assemble(app, settings);
        app.synth();
    }

    /** Adds both stacks, and the AwsSolutions checks, to {@code app}. */
    public static Deployment assemble(App app, DeploymentSettings settings) {
        // Environment-agnostic: the account and region come from the deploying profile.
        StatefulStack stateful = new StatefulStack(app, STATEFUL_STACK, StackProps.builder()
                .description("edgewire: connection table, IoT things, their certificates and policy, token key")
                .build(),
                new StatefulStack.Props(settings.devices()));
        StatelessStack stateless = new StatelessStack(app, STATELESS_STACK, StackProps.builder()
                .description("edgewire: Lambda functions, WebSocket API, IoT topic rules, alarms and dashboard")
                .build(),
                new StatelessStack.Props(stateful.connectionTable(), stateful.tokenSecret(),
                        settings.stageName(), settings.lambdaJar(), settings.operations()));
        // Synthesis fails on any finding that is not acknowledged (with a reason) where it occurs.
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app, NagPackProps.builder().verbose(true).build()));
        return new Deployment(stateful, stateless);
    }
}
