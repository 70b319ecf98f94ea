package dev.edgewire.contract;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checksums an SQS answer carries, which the AWS SDKs verify, for every endpoint here that answers
 * as SQS does (priming's loopback endpoint, the test stand-ins): the MD5 of the body, and the MD5 of the
 * message attributes as the Amazon SQS Developer Guide computes it ("Calculating the MD5 message digest
 * for message attributes"): for each attribute in name order, the name, the data type and the value,
 * each as a 4-byte big-endian length and its UTF-8 bytes, with a transport type byte (1 for a string
 * value) before the value.
 */
public final class SqsChecksums {

    private static final byte STRING_TRANSPORT = 1;

    private SqsChecksums() {
    }

    public static String md5OfBody(String body) {
        return md5(body.getBytes(StandardCharsets.UTF_8));
    }

    /** For attributes of data type {@code String}, by name. */
    public static String md5OfStringAttributes(Map<String, String> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TreeMap<>(attributes).forEach((name, value) -> {
            lengthPrefixed(out, name);
            lengthPrefixed(out, "String");
            out.write(STRING_TRANSPORT);
            lengthPrefixed(out, value);
        });
        return md5(out.toByteArray());
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
