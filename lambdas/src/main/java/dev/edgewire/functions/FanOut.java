package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import dev.edgewire.contract.Topology;
import java.util.Map;

/** The fan-out of the readings queue (and of continued broadcasts): {@code dev.edgewire.telemetry.FanOutHandler}. */
public final class FanOut extends LambdaFunction<Map<String, Object>, Map<String, Object>> {

    public FanOut() {
        super(Topology.Function.FAN_OUT);
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return super.handleRequest(event, context);
    }
}
