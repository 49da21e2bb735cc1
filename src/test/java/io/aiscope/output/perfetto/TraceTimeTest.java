package io.aiscope.output.perfetto;

import com.fasterxml.jackson.databind.node.DecimalNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class TraceTimeTest {
    @Test
    void microsecondsWithHalfANanosecondMore() {
        assertThat(TraceTime.micros(0)).isEqualTo("0.0005");
        assertThat(TraceTime.micros(1)).isEqualTo("0.0015");
        assertThat(TraceTime.micros(1_234_567)).isEqualTo("1234.5675");
        assertThat(TraceTime.micros(1_001)).isEqualTo("1.0015"); // "1.001" would read as 1000 ns as a double
        assertThat(TraceTime.micros(-1_234)).isEqualTo("-1.2345");
        assertThat(new TraceTime(1_000_000).ts(1_000_250)).isEqualTo("0.2505");
    }

    /** Both of Perfetto's readings (decimal text truncated; double times 1000 truncated) give the exact nanosecond. */
    @Test
    void bothReadingsGiveTheNanosecondBack() {
        SplittableRandom random = new SplittableRandom(7);
        long[] fixed = {0, 1, 999, 1000, 1_001, 1_003, 1_000_001, 86_400_000_000_000L, 3 * 86_400_000_000_000L, -7};
        for (int i = 0; i < 200_000; i++) {
            // Up to three days after the origin: recordings are far shorter.
            long ns = i < fixed.length ? fixed[i] : random.nextLong(3 * 86_400_000_000_000L);
            String text = TraceTime.micros(ns);
            assertThat(ChromeTraceChecker.nanos(new DecimalNode(new BigDecimal(text)))).as(text).isEqualTo(ns);
            assertThat((long) (Double.parseDouble(text) * 1000.0)).as(text).isEqualTo(ns);
        }
    }
}
