package dev.edgewire.local.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology;
import io.github.bucket4j.TimeMeter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouteThrottlesTest {

    private final AtomicLong nanos = new AtomicLong();
    private final RouteThrottles throttles = new RouteThrottles(new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    });

    private int admitted(String routeKey, int tries) {
        int admitted = 0;
        for (int i = 0; i < tries; i++) {
            admitted += throttles.admit(routeKey) ? 1 : 0;
        }
        return admitted;
    }

    @Test
    void sendMessage_takesItsBurstAtOnce_thenItsRate() {
        Topology.Throttle throttle = Topology.SEND_MESSAGE_THROTTLE;
        assertThat(admitted("sendMessage", throttle.burst() * 3)).isEqualTo(throttle.burst());

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(admitted("sendMessage", throttle.burst())).isEqualTo(throttle.ratePerSecond() / 5);

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertThat(admitted("sendMessage", throttle.burst() * 3)).as("the bucket holds no more than its burst")
                .isEqualTo(throttle.burst());
    }

    @Test
    void routes_haveBucketsOfTheirOwn_andTheStageThrottleForTheRest() {
        admitted("sendMessage", Topology.SEND_MESSAGE_THROTTLE.burst() * 2);
        assertThat(throttles.admit("sendMessage")).isFalse();

        assertThat(admitted("$default", Topology.STAGE_THROTTLE.burst() * 2)).isEqualTo(Topology.STAGE_THROTTLE.burst());
        assertThat(admitted("subscribe", Topology.STAGE_THROTTLE.burst() * 2)).isEqualTo(Topology.STAGE_THROTTLE.burst());
        assertThat(admitted("$connect", Topology.STAGE_THROTTLE.burst() * 2)).isEqualTo(Topology.STAGE_THROTTLE.burst());
    }

    @Test
    void disconnect_isNeverRefused() {
        assertThat(admitted("$disconnect", Topology.STAGE_THROTTLE.burst() * 3)).isEqualTo(Topology.STAGE_THROTTLE.burst() * 3);
    }
}
