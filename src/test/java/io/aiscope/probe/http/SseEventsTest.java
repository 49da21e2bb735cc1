package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SseEventsTest {
    private final List<Long> events = new ArrayList<>();

    private SseEvents feed(SseEvents sse, long ts, String s) {
        byte[] b = Wire.bytes(s);
        sse.feed(b, 0, b.length, ts);
        return sse;
    }

    @Test
    void eventsEndAtBlankLinesWhateverTheLineEnds() {
        SseEvents sse = new SseEvents(events::add, null);
        feed(sse, 1, "data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\r");
        feed(sse, 2, "\n\r\n");
        assertThat(events).containsExactly(1L, 1L, 1L, 2L);
    }

    @Test
    void onlyEventsWithDataCount() {
        SseEvents sse = new SseEvents(events::add, null);
        feed(sse, 1, ": comment\n\nevent: ping\n\nid: 3\nretry: 10\n\ndatax: no\n\ndata\n\ndata:\n\n");
        assertThat(events).containsExactly(1L, 1L);
    }

    @Test
    void sentinelAndUsageChunkAreNotTokens() {
        LlmResponse json = new LlmResponse(0, true);
        SseEvents sse = new SseEvents(events::add, json);
        feed(sse, 1, "data: {\"choices\":[{\"delta\":{}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n");
        feed(sse, 2, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n");
        feed(sse, 3, "data: [DONE]\n\ndata:[DONE]\n\ndata: [DONE] \n\n");
        assertThat(events).containsExactly(1L, 3L);
        assertThat(json.inputTokens).isEqualTo(3);
        assertThat(json.outputTokens).isEqualTo(2);
    }

    @Test
    void multiLineDataIsOneEvent() {
        LlmResponse json = new LlmResponse(0, true);
        SseEvents sse = new SseEvents(events::add, json);
        feed(sse, 1, "data: {\"choices\": [],\ndata: \"usage\": {\"prompt_tokens\": 4}}\n\n");
        assertThat(events).isEmpty();
        assertThat(json.inputTokens).isEqualTo(4);
    }

    @Test
    void eventCutByAGapCountsWhenItEnds() {
        SseEvents sse = new SseEvents(events::add, null);
        feed(sse, 1, "data: {\"a\":\"long");
        sse.gap();
        feed(sse, 2, "still long\"}\n\ndata: next\n\n");
        assertThat(events).containsExactly(2L, 2L);
    }

    @Test
    void hugeEventDataIsBoundedAndStillCounts() {
        SseEvents sse = new SseEvents(events::add, new LlmResponse(0, true));
        feed(sse, 1, "data: " + "z".repeat(SseEvents.MAX_DATA * 2) + "\"usage\":{}\n\n");
        assertThat(events).containsExactly(1L);
    }
}
