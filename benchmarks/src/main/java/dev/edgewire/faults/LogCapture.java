package dev.edgewire.faults;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Keeps the warnings and errors local mode logs, so the report can quote what the handlers said. */
final class LogCapture extends AbstractAppender {

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    private LogCapture() {
        super("fault-suite-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    static LogCapture install() {
        LogCapture capture = new LogCapture();
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().addAppender(capture);
        context.getConfiguration().getRootLogger().addAppender(capture, Level.WARN, null);
        context.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        String logger = event.getLoggerName();
        lines.add(event.getLevel() + " " + logger.substring(logger.lastIndexOf('.') + 1) + ": "
                + event.getMessage().getFormattedMessage());
    }

    /** Everything captured so far, and forgets it. */
    List<String> take() {
        List<String> taken = new java.util.ArrayList<>();
        String line;
        while ((line = lines.poll()) != null) {
            taken.add(line);
        }
        return taken;
    }
}
