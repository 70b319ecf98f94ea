package dev.edgewire.local.sqs;

import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.local.cost.SqsBilling;
import dev.edgewire.local.http.HttpIo;
import dev.edgewire.local.http.JettyServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQS service's address: every SQS API call to local mode, whoever makes it (local mode's topic-rule
 * action, event source mapping and failure queues, the AWS CLI, any SDK), passes through here on its way
 * to ElasticMQ, and once {@link #startMetering()} has been called the {@link CostMeter} counts it as SQS
 * bills it ({@link SqsBilling}). ElasticMQ listens on a port of its own on the same host; queue URLs name
 * this front's port, so clients that follow a queue URL come back through it. Nothing is changed on the way
 * but the hop-by-hop headers and {@link SqsBilling#BILLED_AS_HEADER}.
 */
final class MeteredSqsFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeteredSqsFront.class);
    /** SQS takes payloads of up to 1 MiB; an encoded batch is larger, and anything beyond is refused. */
    private static final int MAX_BODY = 4 * 1024 * 1024;
    /**
     * Headers that belong to one hop, or that the JDK's client sets itself; and Accept-Encoding, so that
     * ElasticMQ answers uncompressed and the meter can read what a receive returned.
     */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "keep-alive", "transfer-encoding", "te", "trailer", "proxy-connection", "date", "server",
            "accept-encoding", SqsBilling.BILLED_AS_HEADER);

    private final Server server;
    private final CostMeter meter;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private volatile URI upstream;
    private volatile boolean metering;

    private MeteredSqsFront(Server server, CostMeter meter) {
        this.server = server;
        this.meter = meter;
    }

    /** Starts listening on {@code host}:{@code port} (0: a free port); calls wait for {@link #forwardTo}. */
    static MeteredSqsFront start(String host, int port, CostMeter meter) throws Exception {
        Server server = JettyServers.http(host, port);
        MeteredSqsFront front = new MeteredSqsFront(server, meter);
        server.setHandler(front.new Forward());
        server.start();
        return front;
    }

    int port() {
        return JettyServers.port(server);
    }

    /** Where ElasticMQ listens. */
    void forwardTo(URI elasticMq) {
        this.upstream = elasticMq;
    }

    /** From now on every call is counted; the calls before (local mode creating its queues) are not. */
    void startMetering() {
        metering = true;
    }

    @Override
    public void close() {
        JettyServers.stop(server);
        // Long polls in flight are cut, so ElasticMQ has no call to wait for when it stops.
        http.shutdownNow();
    }

    private final class Forward extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            URI to = upstream;
            if (to == null) {
                return HttpIo.json(response, callback, 503, "{\"message\":\"the SQS service is starting\"}");
            }
            byte[] body;
            try {
                body = HttpIo.body(request, MAX_BODY);
            } catch (HttpIo.TooLarge e) {
                return HttpIo.json(response, callback, 413, "{\"message\":\"request too large\"}");
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(to.resolve(request.getHttpURI().getPathQuery()))
                    .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (HttpField field : request.getHeaders()) {
                if (!NOT_FORWARDED.contains(field.getLowerCaseName())) {
                    try {
                        forward.header(field.getName(), field.getValue());
                    } catch (IllegalArgumentException restricted) {
                        // A header the JDK's client sets itself.
                    }
                }
            }
            String target = request.getHeaders().get("X-Amz-Target");
            String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            String query = request.getHttpURI().getQuery();
            String billedAs = request.getHeaders().get(SqsBilling.BILLED_AS_HEADER);
            http.sendAsync(forward.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((answer, failure) -> {
                if (failure != null) {
                    LOG.debug("SQS call not forwarded: {}", failure.toString());
                    HttpIo.json(response, callback, 502, "{\"message\":\"the SQS service did not answer\"}");
                    return;
                }
                if (metering) {
                    count(new SqsBilling.Call(target, contentType, query, body, answer.body(), billedAs));
                }
                response.setStatus(answer.statusCode());
                for (Map.Entry<String, List<String>> header : answer.headers().map().entrySet()) {
                    if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                        header.getValue().forEach(value -> response.getHeaders().add(header.getKey(), value));
                    }
                }
                response.write(true, ByteBuffer.wrap(answer.body()), callback);
            });
            return true;
        }

        private void count(SqsBilling.Call call) {
            try {
                meter.sqsCall(SqsBilling.bill(call));
            } catch (RuntimeException e) {
                LOG.warn("an SQS call could not be counted: {}", e.toString());
            }
        }
    }
}
