package io.aiscope.output.perfetto;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class TrackNestingTest {
    private static boolean crosses(long[] a, long s, long e) {
        return (a[0] < s && s < a[1] && a[1] < e) || (s < a[0] && a[0] < e && e < a[1]);
    }

    @Test
    void nestedDisjointAndTouchingSlicesFitCrossingOnesDoNot() {
        TrackNesting t = new TrackNesting();
        t.add(100, 200);
        assertThat(t.fits(120, 150)).isTrue();   // inside
        assertThat(t.fits(100, 200)).isTrue();   // the same again
        assertThat(t.fits(100, 150)).isTrue();   // shares the start
        assertThat(t.fits(150, 200)).isTrue();   // shares the end
        assertThat(t.fits(50, 250)).isTrue();    // around
        assertThat(t.fits(200, 300)).isTrue();   // touching after
        assertThat(t.fits(0, 100)).isTrue();     // touching before
        assertThat(t.fits(150, 250)).isFalse();  // crosses the end
        assertThat(t.fits(50, 150)).isFalse();   // crosses the start
        assertThat(t.fits(150, 150)).isTrue();   // zero length fits anywhere
    }

    @Test
    void innerCallsFirstThenTheOuterOneTakesThemIn() {
        // How CUDA calls arrive: a driver call ends (and is read) before the runtime call around it.
        TrackNesting t = new TrackNesting();
        t.add(20, 30);
        t.add(40, 45);
        assertThat(t.fits(10, 50)).isTrue();
        t.add(10, 50);
        assertThat(t.fits(25, 60)).isFalse();  // crosses the inner one (and the outer)
        assertThat(t.fits(35, 60)).isFalse();  // crosses the outer one only
        assertThat(t.fits(31, 39)).isTrue();   // between the inner ones
        assertThat(t.fits(25, 35)).isFalse();  // crosses [20, 30] inside [10, 50]
        assertThat(t.fits(15, 35)).isTrue();   // around [20, 30] inside [10, 50]
        assertThat(t.fits(15, 47)).isTrue();   // around both inner ones, inside the outer
        t.add(15, 47);
        assertThat(t.fits(16, 44)).isFalse();  // crosses [40, 45], two levels down
    }

    /** Against a brute-force pairwise check, on random slices: exact while nothing is let go. */
    @Test
    void agreesWithPairwiseChecksOnRandomSlices() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 300; round++) {
            TrackNesting t = new TrackNesting();
            List<long[]> placed = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long s = random.nextLong(1000), e = s + random.nextLong(random.nextBoolean() ? 30 : 300);
                boolean expected = placed.stream().noneMatch(a -> crosses(a, s, e));
                assertThat(t.fits(s, e)).as("round %d: [%d, %d] against %d placed", round, s, e, placed.size())
                        .isEqualTo(expected);
                if (expected) {
                    t.add(s, e);
                    placed.add(new long[] {s, e});
                }
            }
        }
    }

    /** With the forest bounded, answers may err only on the side of refusing, and memory stays bounded. */
    @Test
    void whatIsLetGoIsJudgedConservatively() {
        SplittableRandom random = new SplittableRandom(3);
        for (int round = 0; round < 100; round++) {
            TrackNesting t = new TrackNesting(16, 4);
            List<long[]> placed = new ArrayList<>();
            long clock = 0;
            int refusedWrongly = 0;
            for (int i = 0; i < 2000; i++) {
                clock += random.nextLong(20);
                long s = clock - random.nextLong(random.nextInt(10) == 0 ? 2000 : 50);
                long e = s + random.nextLong(100);
                boolean truth = placed.stream().noneMatch(a -> crosses(a, s, e));
                boolean fits = t.fits(s, e);
                assertThat(!fits || truth).as("never says fits when it crosses: [%d, %d]", s, e).isTrue();
                if (truth && !fits) {
                    refusedWrongly++;
                }
                if (fits) {
                    t.add(s, e);
                    placed.add(new long[] {s, e});
                }
                assertThat(t.live()).isLessThanOrEqualTo(16);
            }
            assertThat(refusedWrongly).isLessThan(2000);
        }
    }

    @Test
    void aRequestAroundManyForgottenCallsStillFits() {
        // A thread that makes 100 000 CUDA calls while serving one request, then the request arrives.
        TrackNesting t = new TrackNesting();
        for (long i = 0; i < 100_000; i++) {
            long s = 1_000 + i * 10;
            assertThat(t.fits(s, s + 5)).isTrue();
            t.add(s, s + 5);
        }
        assertThat(t.live()).isLessThanOrEqualTo(TrackNesting.LIVE_LIMIT);
        assertThat(t.fits(500, 2_000_000)).isTrue();
        assertThat(t.fits(500, 600)).isTrue();          // before all of them
        assertThat(t.fits(1_002, 2_000_000)).isFalse();  // starts inside a forgotten call
    }

    @Test
    void opaqueSpansMergeAcrossTheSmallestGaps() {
        OpaqueSpans spans = new OpaqueSpans(4);
        spans.add(0, 10);
        spans.add(11, 20);      // gap 1
        spans.add(1000, 1010);  // gap 980
        spans.add(1012, 1020);  // gap 2
        spans.add(5000, 5010);  // gap 3980: five spans, over the limit
        assertThat(spans.size()).isLessThanOrEqualTo(4);
        assertThat(spans.allows(0, 20)).isTrue();
        assertThat(spans.allows(500, 600)).isTrue();    // in the large gap
        assertThat(spans.allows(995, 1025)).isTrue();   // around a merged pair
        assertThat(spans.allows(1005, 1015)).isFalse(); // inside what is no longer known
        spans.add(5, 15);                               // overlapping spans merge
        assertThat(spans.allows(0, 20)).isTrue();
        assertThat(spans.allows(3, 20)).isFalse();
    }
}
