package dev.edgewire.infra;

import org.junit.jupiter.api.BeforeAll;
import software.amazon.awscdk.assertions.Template;

/** The stateless stack as the app builds it in process. */
class StatelessStackTest extends StatelessStackContract {

    private static Template template;

    @BeforeAll
    static void synthesise() {
        template = TestDeployment.get().template(EdgewireApp.STATELESS_STACK);
    }

    @Override
    Template template() {
        return template;
    }

    @Override
    String stageName() {
        return TestDeployment.STAGE;
    }
}
