package dev.edgewire.infra;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awscdk.assertions.Template;

/** The stateful stack as the app builds it in process for three things from a {@code csrDir}. */
class FleetStatefulStackTest extends StatefulStackContract {

    private static TestDeployment deployment;
    private static Template template;

    @BeforeAll
    static void synthesise() {
        deployment = TestDeployment.fleet();
        template = deployment.template(EdgewireApp.STATEFUL_STACK);
    }

    @Override
    Template template() {
        return template;
    }

    @Override
    List<String> thingNames() {
        return TestDeployment.FLEET;
    }

    @Override
    String certificateSigningRequest(String thingName) {
        return deployment.csrs.get(thingName);
    }
}
