package io.aiscope.output.otlp;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Tag("unit")
class EpochClockTest {
    @Test
    void monotonicNowMapsToWallClockNow() {
        EpochClock clock = EpochClock.sample();
        long mapped = clock.epochNanos(System.nanoTime());
        Instant wall = Instant.now();
        long wallNs = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
        assertThat(mapped).isCloseTo(wallNs, within(20_000_000L));
    }

    @Test
    void intervalsAreKeptExactly() {
        EpochClock clock = new EpochClock(1_767_225_600_000_000_000L);
        assertThat(clock.epochNanos(5_000_000_123L) - clock.epochNanos(4_000_000_000L)).isEqualTo(1_000_000_123L);
    }
}
