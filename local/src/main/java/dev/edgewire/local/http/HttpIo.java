package dev.edgewire.local.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small request and response helpers shared by the local HTTP endpoints. */
public final class HttpIo {

    private HttpIo() {
    }

    /** Thrown when a request body is larger than the endpoint takes. */
    public static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("body larger than " + limit + " bytes");
        }
    }

    /** Reads the body, refusing more than {@code limit} bytes without reading them all. */
    public static byte[] body(Request request, int limit) throws IOException {
        long declared = request.getLength();
        if (declared > limit) {
            throw new TooLarge(limit);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new TooLarge(limit);
            }
            return bytes;
        }
    }

    public static boolean json(Response response, Callback callback, int status, String json) {
        return write(response, callback, status, "application/json", json);
    }

    public static boolean write(Response response, Callback callback, int status, String contentType, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
