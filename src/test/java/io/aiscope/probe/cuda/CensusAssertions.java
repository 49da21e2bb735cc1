package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Compares aiscope's report with a workload's own census of the calls it made. */
final class CensusAssertions {
    private CensusAssertions() {}

    /** Function {@code fn}: the same number of calls, and the same failures by return code. */
    static JsonNode assertCallMatches(JsonNode census, JsonNode cuda, String fn) {
        JsonNode expected = census.get("functions").get(fn);
        assertThat(expected).as("census reports " + fn).isNotNull();
        JsonNode seen = cuda.get("calls").get(fn);
        assertThat(seen).as(fn + " seen").isNotNull();
        assertThat(seen.get("count").asLong()).as(fn + " calls").isEqualTo(expected.get("calls").asLong());
        Map<String, Long> errors = new HashMap<>();
        expected.get("codes").fields().forEachRemaining(e -> {
            if (!e.getKey().equals("0")) {
                errors.put(e.getKey(), e.getValue().asLong());
            }
        });
        Map<String, Long> seenErrors = new HashMap<>();
        seen.get("errors_by_code").fields().forEachRemaining(e -> seenErrors.put(e.getKey(), e.getValue().asLong()));
        assertThat(seenErrors).as(fn + " errors by code").isEqualTo(errors);
        assertThat(seen.get("errors").asLong()).as(fn + " errors")
                .isEqualTo(errors.values().stream().mapToLong(Long::longValue).sum());
        return seen;
    }
}
