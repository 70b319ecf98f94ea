package dev.edgewire.local.websocket;

import dev.edgewire.contract.Topology;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The stage's throttles, as API Gateway applies them before a route's function runs: one token
 * bucket per route, over all connections, sized by {@link Topology.Route#throttle()} (the route's own
 * throttle, else the stage's). A request that finds its route's bucket empty is refused and never
 * reaches the function. {@code $disconnect} is not throttled: a close cannot be refused.
 */
final class RouteThrottles {

    private final Map<String, Bucket> buckets;

    RouteThrottles() {
        this(TimeMeter.SYSTEM_NANOTIME);
    }

    RouteThrottles(TimeMeter clock) {
        this.buckets = Topology.ROUTES.stream()
                .filter(route -> !route.routeKey().equals("$disconnect"))
                .collect(Collectors.toUnmodifiableMap(Topology.Route::routeKey, route -> bucket(route.throttle(), clock)));
    }

    /** Takes a token for one request on {@code routeKey}; false when the route is over its throttle. */
    boolean admit(String routeKey) {
        Bucket bucket = buckets.get(routeKey);
        return bucket == null || bucket.tryConsume(1);
    }

    private static Bucket bucket(Topology.Throttle throttle, TimeMeter clock) {
        // Greedy refill: tokens come back continuously at the rate, as in API Gateway's token bucket.
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(throttle.burst())
                        .refillGreedy(throttle.ratePerSecond(), Duration.ofSeconds(1)))
                .withCustomTimePrecision(clock)
                .build();
    }
}
