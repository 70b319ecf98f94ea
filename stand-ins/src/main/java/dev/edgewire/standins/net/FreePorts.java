package dev.edgewire.standins.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers that must know their port before they bind it (a store started as a
 * process, a broker that restarts on the same port). A port chosen by binding port 0 and closing
 * the socket can be handed out again by the next bind to port 0, so two servers starting at once
 * could both get it; these ports come from below the kernel's ephemeral range instead, which binds
 * to port 0 never use, and none is handed out twice in one JVM.
 */
public final class FreePorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default ephemeral range starts here; other systems start at 49152 or above. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LOWEST = 10000;
    private static final int ATTEMPTS = 200;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that nothing listens on at {@code host} now and that this JVM has not handed out before. */
    public static int pick(InetAddress host) throws IOException {
        int high = ephemeralLow();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, host)) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // taken by another process: try the next
            }
        }
        throw new IOException("no free port in " + LOWEST + ".." + high + " after " + ATTEMPTS + " attempts");
    }

    /** A free loopback port; see {@link #pick(InetAddress)}. */
    public static int pick() throws IOException {
        return pick(InetAddress.getLoopbackAddress());
    }

    private static int ephemeralLow() {
        try {
            int low = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).strip().split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : DEFAULT_EPHEMERAL_LOW;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
