package dev.edgewire.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awscdk.assertions.Template;

/** The stateful stack as the app builds it in process. */
class StatefulStackTest extends StatefulStackContract {

    private static TestDeployment deployment;
    private static Template template;

    @BeforeAll
    static void synthesise() {
        deployment = TestDeployment.get();
        template = deployment.template(EdgewireApp.STATEFUL_STACK);
    }

    @Override
    Template template() {
        return template;
    }

    @Override
    String thingName() {
        return TestDeployment.THING;
    }

    @Override
    String certificateSigningRequest() {
        try {
            return Files.readString(deployment.csrFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
