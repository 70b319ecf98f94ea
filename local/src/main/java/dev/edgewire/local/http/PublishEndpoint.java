package dev.edgewire.local.http;

import dev.edgewire.local.cost.BillingUnits;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.standins.sigv4.SigV4Check;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.local.policy.ThingPolicy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.UUID;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IoT Core's HTTPS publish endpoint: {@code POST /topics/{url-encoded topic}?qos=N}. A device
 * authenticates with its client certificate and may publish where {@link ThingPolicy} allows; the
 * cloud side (the handlers' IoT Data Plane {@code Publish} calls) authenticates with a SigV4
 * signature instead and may publish anywhere. Answers as IoT Core does: 200 with
 * {@code {"message":"OK","traceId":"..."}}, or a 4xx with a message. The {@link CostMeter} counts each
 * request body it reads and each answer's body, errors included, in IoT Core's 5 KB messages.
 */
public final class PublishEndpoint extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(PublishEndpoint.class);
    /** IoT Core's message size limit. */
    public static final int MAX_PAYLOAD = 128 * 1024;
    private static final String PREFIX = "/topics/";
    /** The service name IoT Data Plane requests are signed for (the SDKs' and the CLI's {@code iot-data}). */
    static final String IOT_DATA_SIGNING_NAME = "iotdata";

    /** Where an accepted message goes: the broker and the topic rules. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param thing the thing name of the client certificate, {@code null} for a SigV4-signed call
         * @param certificateId the certificate's id as IoT Core gives it (what {@code principal()} returns), or {@code null}
         * @throws Unavailable when the message cannot be taken now (the caller gets a 503 and may retry)
         */
        void publish(String thing, String certificateId, String topic, byte[] payload, int qos);
    }

    private final CloudCredentials cloud;
    private final CostMeter meter;
    private final Sink sink;

    public PublishEndpoint(CloudCredentials cloud, CostMeter meter, Sink sink) {
        this.cloud = cloud;
        this.meter = meter;
        this.sink = sink;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String traceId = UUID.randomUUID().toString();
        String rawPath = request.getHttpURI().getPath();
        if (rawPath == null || !rawPath.startsWith(PREFIX) || rawPath.length() == PREFIX.length()) {
            return error(response, callback, 404, "Not Found: publish with POST /topics/{topic}", traceId);
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put("Allow", "POST");
            return error(response, callback, 405, "Method Not Allowed: use POST", traceId);
        }
        String topic = URLDecoder.decode(rawPath.substring(PREFIX.length()).replace("+", "%2B"), StandardCharsets.UTF_8);
        if (topic.contains("+") || topic.contains("#") || topic.startsWith("$") || topic.length() > 256) {
            return error(response, callback, 400, "Invalid topic name: " + topic, traceId);
        }
        Fields query = Request.extractQueryParameters(request);
        String qosText = query.getValue("qos");
        int qos;
        if (qosText == null) {
            qos = 0;
        } else if (qosText.equals("0") || qosText.equals("1")) {
            qos = Integer.parseInt(qosText);
        } else {
            return error(response, callback, 400, "Invalid qos: " + qosText + " (0 or 1)", traceId);
        }

        byte[] payload;
        try {
            payload = HttpIo.body(request, MAX_PAYLOAD);
        } catch (HttpIo.TooLarge e) {
            return error(response, callback, 413, "Payload Too Large: at most " + MAX_PAYLOAD + " bytes", traceId);
        }
        meter.iotMessage(CostMeter.IotMessage.HTTP_REQUEST, payload.length);
        String principal;
        String certificateId = null;
        X509Certificate certificate = clientCertificate(request);
        if (certificate != null) {
            principal = LocalPki.commonName(certificate);
            certificateId = LocalPki.certificateId(certificate);
            if (!ThingPolicy.mayPublish(principal, topic)) {
                LOG.warn("refused HTTPS publish of {} to '{}': not in its policy {}", principal, topic,
                        ThingPolicy.publishTopics(principal));
                return error(response, callback, 403, "Forbidden: not authorized to publish to " + topic, traceId);
            }
        } else {
            switch (cloud.check(request, payload, IOT_DATA_SIGNING_NAME)) {
                case VALID -> principal = null;
                case MISMATCH -> {
                    return error(response, callback, 403, "Forbidden: the request signature we calculated does not "
                            + "match the signature you provided", traceId);
                }
                case EXPIRED -> {
                    return error(response, callback, 403, "Forbidden: signature expired (X-Amz-Date missing or more than "
                            + SigV4Check.MAX_SKEW.toMinutes() + " minutes from the server's time)", traceId);
                }
                default -> {
                    return error(response, callback, 403,
                            "Forbidden: present a client certificate signed by the local CA, or sign the request with SigV4",
                            traceId);
                }
            }
        }
        try {
            sink.publish(principal, certificateId, topic, payload, qos);
        } catch (Unavailable e) {
            LOG.warn("HTTPS publish of {} to '{}' not accepted: {}", principal, topic, e.getMessage());
            return error(response, callback, 503, "Service Unavailable: " + e.getMessage() + "; retry later", traceId);
        }
        return answer(response, callback, 200, "{\"message\":\"OK\",\"traceId\":\"" + traceId + "\"}");
    }

    private static X509Certificate clientCertificate(Request request) {
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl) {
            X509Certificate[] chain = ssl.peerCertificates();
            return chain == null || chain.length == 0 ? null : chain[0];
        }
        return null;
    }

    private boolean error(Response response, Callback callback, int status, String message, String traceId) {
        return answer(response, callback, status, errorBody(message, traceId));
    }

    /** IoT Core meters answers too, negative ones included, on their body. */
    private boolean answer(Response response, Callback callback, int status, String json) {
        meter.iotMessage(CostMeter.IotMessage.HTTP_RESPONSE, BillingUnits.utf8Length(json));
        return HttpIo.json(response, callback, status, json);
    }

    static String errorBody(String message, String traceId) {
        return "{\"message\":\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                .quoteAsString(message)) + "\",\"traceId\":\"" + traceId + "\"}";
    }

    /** The message broker behind the endpoint is not running, as during IoT Core's ServiceUnavailable. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
