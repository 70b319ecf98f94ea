package dev.edgewire.standins.clients;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Writes one WebSocket frame by hand: client libraries split large messages into frames of their
 * own choosing and never send a malformed frame, so frame limits and protocol errors can only be
 * tested below them (local mode's tests, the fault-injection suite).
 */
public final class RawFrames {

    /** How the server closed the connection after the frame. */
    public record Close(int code, String reason) {
    }

    private RawFrames() {
    }

    /** Sends one unfragmented text frame of {@code size} bytes and returns the server's close code. */
    public static int sendSingleFrame(URI uri, int size) throws IOException {
        byte[] payload = new byte[size];
        java.util.Arrays.fill(payload, (byte) 'x');
        return send(uri, 0x81, true, payload).code();
    }

    /**
     * Sends one frame whose first byte (FIN, RSV bits, opcode) is {@code firstByte}, masked or not,
     * and returns the close frame the server answers with.
     */
    public static Close send(URI uri, int firstByte, boolean masked, byte[] payload) throws IOException {
        int size = payload.length;
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String status = upgrade(uri, out, in);
            if (!status.contains(" 101 ")) {
                throw new IOException("upgrade refused: " + status);
            }
            while (!readLine(in).isEmpty()) {
                // headers
            }
            byte[] mask = new byte[4];
            new SecureRandom().nextBytes(mask);
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream(size + 14);
            frame.write(firstByte);
            frame.write((masked ? 0x80 : 0) | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) size >>> shift) & 0xff);
            }
            if (masked) {
                frame.write(mask);
            }
            for (int i = 0; i < size; i++) {
                frame.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
            }
            try {
                out.write(frame.toByteArray());
                out.flush();
            } catch (IOException closedEarly) {
                // The server may close as soon as it sees the header; its close frame is still readable.
            }
            int opcode;
            byte[] body;
            do {
                opcode = in.readUnsignedByte() & 0x0f;
                int length = in.readUnsignedByte() & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = (int) in.readLong();
                }
                body = new byte[length];
                in.readFully(body);
            } while (opcode != 0x8);
            if (body.length < 2) {
                return new Close(1005, "");
            }
            return new Close(((body[0] & 0xff) << 8) | (body[1] & 0xff),
                    new String(body, 2, body.length - 2, StandardCharsets.UTF_8));
        }
    }

    /** The status line the server answers a WebSocket upgrade request with, as a browser's request would get it. */
    public static String upgradeStatus(URI uri) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(15_000);
            return upgrade(uri, socket.getOutputStream(), new DataInputStream(socket.getInputStream()));
        }
    }

    /** Sends the upgrade request and reads the status line of the answer. */
    private static String upgrade(URI uri, OutputStream out, DataInputStream in) throws IOException {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readLine(in);
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
