package dev.edgewire.wiring;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.edgewire.auth.TokenAuthorizer;
import dev.edgewire.connection.ConnectHandler;
import dev.edgewire.connection.DisconnectHandler;
import dev.edgewire.message.DefaultRouteHandler;
import dev.edgewire.message.MessageRateLimit;
import dev.edgewire.message.SendMessageHandler;
import dev.edgewire.message.SendMessageParser;
import dev.edgewire.message.SubscribeHandler;
import dev.edgewire.message.SubscribeParser;
import dev.edgewire.telemetry.Coalescing;
import dev.edgewire.telemetry.FanOutHandler;
import dev.edgewire.contract.Topology;

/** Builds the handler of each function through its collaborator constructor, for local mode and tests. */
public final class HandlerFactory {

    private HandlerFactory() {
    }

    /**
     * The handler behind {@code function}, wired to {@code services}: what the class Lambda runs
     * ({@link Topology.Function#handlerClass()}) delegates to, and what local mode invokes.
     */
    public static RequestHandler<?, ?> create(Topology.Function function, CloudServices services) {
        return switch (function) {
            case CONNECT -> new ConnectHandler(services.connections(), services.connectionsPerSubject());
            case DISCONNECT -> new DisconnectHandler(services.connections());
            case SEND_MESSAGE -> new SendMessageHandler(new SendMessageParser(), services.broadcaster(),
                    services.devicePublisher(), services.readingsQueue(),
                    new MessageRateLimit(services.connections(), services.clock()), services.clock(), services.metrics());
            case SUBSCRIBE -> new SubscribeHandler(new SubscribeParser(), services.connections(), services.broadcaster());
            case DEFAULT -> new DefaultRouteHandler(services.broadcaster());
            case AUTHORIZER -> new TokenAuthorizer(services.tokenKeys(), services.clock(), services.metrics());
            case FAN_OUT -> new FanOutHandler(services.connectionIdCache(), services.broadcaster(),
                    services.continuation(), services.readingsQueue(), Coalescing.of(services.readingsQueue()),
                    services.sharding(), services.metrics());
        };
    }
}
