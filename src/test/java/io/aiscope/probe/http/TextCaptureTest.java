package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TextCaptureTest {
    private static void part(TextCapture c, String s) {
        c.part(s.toCharArray(), 0, s.length());
    }

    private static void append(TextCapture c, String s) {
        c.append(s.toCharArray(), 0, s.length());
    }

    @Test
    void partsAreSeparatedAndDeltasJoined() {
        TextCapture c = new TextCapture(100);
        part(c, "system");
        part(c, "");
        part(c, "user");
        append(c, " more");
        assertThat(c.text()).isEqualTo("system\nuser more");
    }

    @Test
    void nothingKeptIsNull() {
        TextCapture c = new TextCapture(10);
        part(c, "");
        assertThat(c.text()).isNull();
    }

    @Test
    void boundedInUtf8BytesWithoutSplittingACharacter() {
        TextCapture c = new TextCapture(10);
        append(c, "ab\u00e9\u20ac\ud83d\ude00z");
        // a, b: 1 byte each; é: 2; €: 3; the emoji's 4 would make 11.
        assertThat(c.text()).isEqualTo("ab\u00e9\u20ac");
        append(c, "more");
        assertThat(c.text()).isEqualTo("ab\u00e9\u20ac");
    }

    @Test
    void aSurrogatePairFitsWhole() {
        TextCapture c = new TextCapture(5);
        append(c, "x\ud83d\ude00y");
        assertThat(c.text()).isEqualTo("x\ud83d\ude00");
    }
}
