package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class JsonTailTest {
    private static String members(String tail) {
        byte[] b = Wire.bytes(tail);
        int start = JsonTail.membersStart(b, 0, b.length);
        return start < 0 ? null : tail.substring(start);
    }

    @Test
    void completeMembersAfterTheWindowStart() {
        assertThat(members("xx long text\"}],\"model\":\"gpt\",\"n\":1}")).isEqualTo("\"model\":\"gpt\",\"n\":1}");
        assertThat(members("ng\"}, \"usage\": {\"a\": [1, {\"b\": \"}\"}]} }\n"))
                .isEqualTo("\"usage\": {\"a\": [1, {\"b\": \"}\"}]} }\n");
        assertThat(members("{\"whole\":true,\"x\":null}")).isEqualTo("\"whole\":true,\"x\":null}");
    }

    @Test
    void escapedQuotesAreInsideStrings() {
        assertThat(members("a\",\"k\":\"say \\\"hi\\\" \\\\\",\"m\":\"v\"}")).isEqualTo("\"k\":\"say \\\"hi\\\" \\\\\",\"m\":\"v\"}");
    }

    @Test
    void valuesCutByTheWindowAreNotMembers() {
        assertThat(members("345,\"model\":\"x\"}")).isEqualTo("\"model\":\"x\"}");
        assertThat(members("12345}")).isNull();
        assertThat(members("\"b\":\"x\"}")).isNull();
    }

    @Test
    void notTheEndOfAnObject() {
        assertThat(members("\"a\":1]")).isNull();
        assertThat(members("\"a\":1")).isNull();
        assertThat(members("oops\"a\" 1}")).isNull();
        assertThat(members("{}")).isNull();
        assertThat(members("")).isNull();
    }
}
