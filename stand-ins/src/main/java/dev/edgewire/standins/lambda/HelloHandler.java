package dev.edgewire.standins.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** The baseline of the cold-start benchmark: a handler that does nothing. */
public final class HelloHandler implements RequestHandler<Map<String, Object>, String> {

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        return "hello " + input.size();
    }
}
