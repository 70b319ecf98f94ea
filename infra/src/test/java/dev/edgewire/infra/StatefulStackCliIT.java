package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awscdk.assertions.Template;

/** The stateful stack as {@code cdk synth} writes it from the root cdk.json. */
class StatefulStackCliIT extends StatefulStackContract {

    private static CdkCli cli;
    private static Template template;

    @BeforeAll
    static void synthesise() {
        cli = CdkCli.synthesised();
        template = cli.template(EdgewireApp.STATEFUL_STACK);
    }

    @Override
    Template template() {
        return template;
    }

    @Override
    List<String> thingNames() {
        return List.of(Topology.DEFAULT_THING_NAME);
    }

    @Override
    String certificateSigningRequest(String thingName) {
        try {
            return Files.readString(cli.csrFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
