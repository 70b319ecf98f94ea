package dev.edgewire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.contract.Metrics;
import dev.edgewire.runtime.FunctionMetrics;
import dev.edgewire.runtime.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The metrics documents a handler under test writes, kept off standard output and parsed as CloudWatch reads them. */
public final class EmfDocuments {

    public static final String STAGE = "test-stage";

    private final List<String> documents = new CopyOnWriteArrayList<>();
    private final FunctionMetrics metrics = FunctionMetrics.quiet(Metrics.NAMESPACE, STAGE, documents::add);

    /** What to give the handler. */
    public FunctionMetrics metrics() {
        return metrics;
    }

    public List<JsonNode> documents() {
        List<JsonNode> parsed = new ArrayList<>();
        for (String document : documents) {
            try {
                parsed.add(Json.MAPPER.readTree(document));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return parsed;
    }

    /** The value of {@code name} summed over every document that has it. */
    public double sum(String name) {
        return documents().stream().filter(d -> d.has(name)).mapToDouble(d -> d.get(name).asDouble()).sum();
    }

    /** Whether any document has {@code name}. */
    public boolean has(String name) {
        return documents().stream().anyMatch(d -> d.has(name));
    }

    public void clear() {
        documents.clear();
    }
}
