package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awscdk.assertions.Template;

/** The stateless stack as {@code cdk synth} writes it from the root cdk.json. */
class StatelessStackCliIT extends StatelessStackContract {

    private static Template template;

    @BeforeAll
    static void synthesise() {
        template = CdkCli.synthesised().template(EdgewireApp.STATELESS_STACK);
    }

    @Override
    Template template() {
        return template;
    }

    @Override
    String stageName() {
        return Topology.DEFAULT_STAGE;
    }
}
