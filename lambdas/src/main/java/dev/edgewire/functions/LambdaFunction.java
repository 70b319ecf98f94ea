package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.edgewire.contract.Topology;
import dev.edgewire.runtime.Restorable;
import dev.edgewire.wiring.CloudServices;
import dev.edgewire.wiring.HandlerFactory;
import dev.edgewire.wiring.Priming;
import org.crac.Resource;

/**
 * The shell of every function as Lambda runs it, written once: Lambda creates the class its
 * handler string names through the no-argument constructor, which wires the function's handler
 * from the environment ({@link CloudServices#fromEnvironment()}, {@link HandlerFactory}) once per
 * execution environment, and registers for SnapStart's checkpoint, where the function is primed
 * ({@link Priming#prime}). Every invocation goes to that handler.
 *
 * <p>After a restore, a handler that holds something that must not outlive the snapshot renews it
 * ({@link Restorable}): the authorizer reads its token keys again. Nothing else held across a
 * snapshot needs renewing: the SDK clients open connections on demand (priming's connections were
 * its own, and are closed), the role's credentials are first fetched after the restore, and cached
 * connection ids age from before. Restore hooks are the place for such work (Lambda Developer Guide,
 * "Lambda SnapStart runtime hooks for Java",
 * https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-java.html).
 */
public abstract class LambdaFunction<I, O> implements RequestHandler<I, O>, Resource {

    private final Topology.Function function;
    private final RequestHandler<I, O> handler;

    @SuppressWarnings("unchecked")
    protected LambdaFunction(Topology.Function function) {
        this.function = function;
        this.handler = (RequestHandler<I, O>) HandlerFactory.create(function, CloudServices.fromEnvironment());
        // The runtime keeps only a weak reference; Lambda keeps this object for the environment's life.
        Priming.register(this);
    }

    /**
     * Each function overrides this with its concrete event and response types: the runtime reads
     * the event type off the {@code handleRequest} method the class declares, and a generic one
     * would get the event as a plain map.
     */
    @Override
    public O handleRequest(I input, Context context) {
        return handler.handleRequest(input, context);
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.prime(function);
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        if (handler instanceof Restorable restorable) {
            restorable.afterRestore();
        }
    }
}
