package dev.edgewire.device.dataset;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * A deterministic dummy sensor: the same seed, device and {@code seq} always give the same values.
 *
 * <p>Each device gets its own offsets (from the seed and its id), then slow daily-like curves with a
 * little noise: temperature around 21 °C, relative humidity moving against it, barometric pressure
 * around 1013 hPa, and a battery that drains slowly from its starting charge.
 */
public final class ReadingGenerator implements ReadingSource {
    /** Readings per full temperature/humidity cycle. */
    static final double CYCLE = 720;
    /** Readings per pressure cycle (weather moves slower than the day). */
    static final double PRESSURE_CYCLE = 2880;
    /** Battery drop per reading. */
    static final double DRAIN = 0.00002;

    private final long seed;

    public ReadingGenerator(long seed) {
        this.seed = seed;
    }

    @Override
    public Reading reading(String deviceId, long seq, Instant ts) {
        long deviceSeed = seed ^ fnv1a(deviceId);
        SplittableRandom device = new SplittableRandom(deviceSeed);
        double temperatureOffset = device.nextDouble(-2.0, 2.0);
        double humidityOffset = device.nextDouble(-6.0, 6.0);
        double pressureOffset = device.nextDouble(-4.0, 4.0);
        double phase = device.nextDouble(0, 2 * Math.PI);
        double batteryStart = device.nextDouble(0.85, 1.0);

        SplittableRandom noise = new SplittableRandom(mix(deviceSeed, seq));
        double day = 2 * Math.PI * seq / CYCLE + phase;
        double temperature = 21.0 + temperatureOffset + 3.0 * Math.sin(day) + gaussian(noise) * 0.15;
        double humidity = clamp(45.0 + humidityOffset - 8.0 * Math.sin(day) + gaussian(noise) * 0.6, 0, 100);
        double pressure = 1013.0 + pressureOffset + 2.5 * Math.sin(2 * Math.PI * seq / PRESSURE_CYCLE + phase)
                + gaussian(noise) * 0.1;
        double battery = clamp(batteryStart - DRAIN * seq, 0, 1);
        return new Reading(deviceId, seq, ts.toString(), round(temperature, 1), round(humidity, 1),
                round(pressure, 1), round(battery, 2));
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller from two uniform draws; SplittableRandom has no nextGaussian of its own in Java 21.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    /** Stable across JVMs, unlike String.hashCode's spread. */
    private static long fnv1a(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static long mix(long a, long b) {
        long z = a + 0x9e3779b97f4a7c15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
