package io.aiscope.output.perfetto;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checker the other tests rely on catches what Perfetto would reject or show wrong. */
@Tag("unit")
class ChromeTraceCheckerTest {
    private static final String NAMES = """
            {"ph":"M","ts":0,"pid":1,"tid":1,"name":"process_name","args":{"name":"p"}},
            {"ph":"M","ts":0,"pid":1,"tid":1,"name":"thread_name","args":{"name":"t"}},
            """;

    private static String trace(String events) {
        return "{\"traceEvents\":[" + NAMES + events + "],\"displayTimeUnit\":\"ms\",\"otherData\":{}}";
    }

    private static void rejected(String events, String why) {
        assertThatThrownBy(() -> ChromeTraceChecker.check(trace(events))).isInstanceOf(AssertionError.class)
                .hasMessageContaining(why);
    }

    private static void accepted(String events) {
        assertThatCode(() -> ChromeTraceChecker.check(trace(events))).doesNotThrowAnyException();
    }

    @Test
    void nestedSlicesPassCrossingOnesDoNot() {
        accepted("""
                {"ph":"X","ts":1,"dur":10,"pid":1,"tid":1,"name":"outer"},
                {"ph":"X","ts":2,"dur":3,"pid":1,"tid":1,"name":"inner"},
                {"ph":"X","ts":5,"dur":6,"pid":1,"tid":1,"name":"inner, to the parent's end"},
                {"ph":"X","ts":11,"dur":1,"pid":1,"tid":1,"name":"after, touching"},
                {"ph":"i","ts":6,"pid":1,"tid":1,"name":"instant","s":"t"}
                """);
        rejected("""
                {"ph":"X","ts":1,"dur":10,"pid":1,"tid":1,"name":"a"},
                {"ph":"X","ts":5,"dur":10,"pid":1,"tid":1,"name":"b"}
                """, "'b' [5000, 15000] (event 3) crosses 'a'");
    }

    @Test
    void sameStartNestsLongestFirstWhateverTheFileOrder() {
        // Perfetto sorts complete slices of equal start by duration, longest first.
        accepted("""
                {"ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"name":"inner, written first"},
                {"ph":"X","ts":1,"dur":9,"pid":1,"tid":1,"name":"outer"}
                """);
    }

    @Test
    void beginEndPairsMustMatchAndNest() {
        accepted("""
                {"ph":"B","ts":1,"pid":1,"tid":1,"name":"a"},
                {"ph":"X","ts":2,"dur":1,"pid":1,"tid":1,"name":"in a"},
                {"ph":"E","ts":4,"pid":1,"tid":1,"name":"a"}
                """);
        rejected("""
                {"ph":"B","ts":1,"pid":1,"tid":1,"name":"a"}
                """, "never ends");
        rejected("""
                {"ph":"B","ts":1,"pid":1,"tid":1,"name":"a"},
                {"ph":"X","ts":2,"dur":5,"pid":1,"tid":1,"name":"past a"},
                {"ph":"E","ts":4,"pid":1,"tid":1,"name":"a"}
                """, "crosses");
    }

    @Test
    void asyncPairsMustMatchByNameInEitherOrderOfEqualTimes() {
        accepted("""
                {"ph":"b","ts":1,"pid":1,"tid":1,"name":"r","cat":"http","id":"7"},
                {"ph":"b","ts":1,"pid":1,"tid":1,"name":"one","cat":"http","id":"7"},
                {"ph":"e","ts":2,"pid":1,"tid":1,"name":"one","cat":"http","id":"7"},
                {"ph":"b","ts":2,"pid":1,"tid":1,"name":"two","cat":"http","id":"7"},
                {"ph":"e","ts":3,"pid":1,"tid":1,"name":"two","cat":"http","id":"7"},
                {"ph":"e","ts":3,"pid":1,"tid":1,"name":"r","cat":"http","id":"7"}
                """);
        // A begin written before the end of the same moment nests wrongly where readers keep file order.
        rejected("""
                {"ph":"b","ts":1,"pid":1,"tid":1,"name":"r","cat":"http","id":"7"},
                {"ph":"b","ts":1,"pid":1,"tid":1,"name":"one","cat":"http","id":"7"},
                {"ph":"b","ts":2,"pid":1,"tid":1,"name":"two","cat":"http","id":"7"},
                {"ph":"e","ts":2,"pid":1,"tid":1,"name":"one","cat":"http","id":"7"},
                {"ph":"e","ts":3,"pid":1,"tid":1,"name":"two","cat":"http","id":"7"},
                {"ph":"e","ts":3,"pid":1,"tid":1,"name":"r","cat":"http","id":"7"}
                """, "does not close the innermost open");
        rejected("""
                {"ph":"b","ts":1,"pid":1,"tid":1,"name":"r","cat":"http","id":"7"}
                """, "never ends");
    }

    @Test
    void whatPerfettosTokenizerOrImporterCannotTake() {
        rejected("""
                {"ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"name":"a","stack":[1,2]}
                """, "top-level array");
        rejected("""
                {"ph":"X","ts":1,"dur":1.001,"pid":1,"tid":1,"name":"a"}
                """, "dur reads as 1001 ns from its text but 1000 ns as a double");
        rejected("""
                {"ph":"X","pid":1,"tid":1,"name":"a","dur":1}
                """, "ts must be a number");
        rejected("""
                {"ph":"X","ts":1,"dur":-1,"pid":1,"tid":1,"name":"a"}
                """, "negative dur");
        rejected("""
                {"ph":"Q","ts":1,"pid":1,"tid":1,"name":"a"}
                """, "ph must be one of");
        rejected("""
                {"ph":"i","ts":1,"pid":1,"tid":1,"name":"a","s":"x"}
                """, "instant scope");
    }

    @Test
    void everyProcessAndThreadIsNamed() {
        rejected("""
                {"ph":"i","ts":1,"pid":2,"tid":3,"name":"a","s":"t"}
                """, "process 2 has events but no process_name");
        rejected("""
                {"ph":"i","ts":1,"pid":1,"tid":3,"name":"a","s":"t"}
                """, "thread 1/3 has events but no thread_name");
    }

    @Test
    void flowsHaveOneStartAndOneEndInTimeOrder() {
        accepted("""
                {"ph":"X","ts":1,"dur":5,"pid":1,"tid":1,"name":"a","bind_id":9,"flow_out":true},
                {"ph":"X","ts":6,"dur":0,"pid":1,"tid":1,"name":"b","bind_id":9,"flow_in":true}
                """);
        rejected("""
                {"ph":"X","ts":1,"dur":5,"pid":1,"tid":1,"name":"a","bind_id":9,"flow_out":true}
                """, "1 flow_out and 0 flow_in");
        rejected("""
                {"ph":"X","ts":7,"dur":5,"pid":1,"tid":1,"name":"a","bind_id":9,"flow_out":true},
                {"ph":"X","ts":6,"dur":0,"pid":1,"tid":1,"name":"b","bind_id":9,"flow_in":true}
                """, "back in time");
        rejected("""
                {"ph":"i","ts":1,"pid":1,"tid":1,"name":"a","bind_id":9,"flow_out":true,"s":"t"}
                """, "binds v2 flows only on");
    }

    @Test
    void theTopLevelShape() throws IOException {
        assertThatThrownBy(() -> ChromeTraceChecker.check("[]")).hasMessageContaining("traceEvents");
        assertThatThrownBy(() -> ChromeTraceChecker.check("{\"traceEvents\":[],\"displayTimeUnit\":\"s\"}"))
                .hasMessageContaining("displayTimeUnit");
        assertThat(ChromeTraceChecker.check("{\"traceEvents\":[]}").events()).isEmpty();
    }
}
