package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import dev.edgewire.contract.Topology;

/** The {@code $connect} authorizer: {@code dev.edgewire.auth.TokenAuthorizer}. */
public final class Authorizer extends LambdaFunction<APIGatewayCustomAuthorizerEvent, IamPolicyResponseV1> {

    public Authorizer() {
        super(Topology.Function.AUTHORIZER);
    }

    @Override
    public IamPolicyResponseV1 handleRequest(APIGatewayCustomAuthorizerEvent event, Context context) {
        return super.handleRequest(event, context);
    }
}
