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

    /**
     * Of a body over the limit, at most this many times the limit is read and dropped before the
     * refusal: a client still writing its body when the server closes gets a reset and never reads
     * the 413, so a moderately large body is read to the end first; a larger one is cut off.
     */
    private static final int DRAIN_FACTOR = 4;

    /** Reads the body, refusing more than {@code limit} bytes without keeping them. */
    public static byte[] body(Request request, int limit) throws IOException {
        long declared = request.getLength();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > limit) {
                drain(in, declared <= (long) limit * DRAIN_FACTOR ? declared : 0);
                throw new TooLarge(limit);
            }
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                drain(in, (long) limit * DRAIN_FACTOR);
                throw new TooLarge(limit);
            }
            return bytes;
        }
    }

    private static void drain(InputStream in, long max) throws IOException {
        byte[] buffer = new byte[8192];
        long left = max;
        int n;
        while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= n;
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
