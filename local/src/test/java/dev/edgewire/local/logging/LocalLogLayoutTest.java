package dev.edgewire.local.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;

/**
 * Local mode's log lines, as its configuration lays them out: a client's string with CR or LF in it
 * (a topic, an action, a connection id) stays on its own line, so it cannot forge another.
 */
class LocalLogLayoutTest {

    @Test
    void aMessageWithLineBreaks_isWrittenAsOneLine() throws Exception {
        URI uri = LocalLogLayoutTest.class.getResource("/edgewire-local-log4j2.xml").toURI();
        Configuration configuration = ConfigurationFactory.getInstance()
                .getConfiguration(new LoggerContext("layout-test"), ConfigurationSource.fromUri(uri));
        configuration.initialize();
        Layout<?> layout = configuration.getAppender("console").getLayout();
        String forged = "thing-1\r\n12:00:00.000 WARN  LocalCloud             admin logged in";

        String line = new String(layout.toByteArray(Log4jLogEvent.newBuilder().setLevel(Level.WARN).setLoggerName("x")
                .setMessage(new ParameterizedMessage("refused publish to '{}'", forged)).build()));

        assertThat(line.stripTrailing()).doesNotContain("\n").doesNotContain("\r")
                .contains("thing-1\\r\\n12:00:00.000 WARN");
    }
}
