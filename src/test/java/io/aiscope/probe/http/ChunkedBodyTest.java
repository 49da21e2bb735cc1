package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ChunkedBodyTest {
    /** Decodes {@code wire} fed in pieces of {@code size}; null when it is not chunked framing. */
    private static String decode(String wire, int size) {
        byte[] b = Wire.bytes(wire);
        ChunkedBody c = new ChunkedBody();
        c.reset();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int from = 0; from < b.length && !c.done(); from += size) {
            int end = Math.min(b.length, from + size);
            int p = from;
            while (p < end && !c.done()) {
                if (c.inData()) {
                    int n = (int) Math.min(c.remaining(), end - p);
                    out.write(b, p, n);
                    c.consumed(n);
                    p += n;
                } else {
                    p = c.frame(b, p, end);
                    if (p < 0) {
                        return null;
                    }
                }
            }
        }
        return c.done() ? out.toString(StandardCharsets.ISO_8859_1) : "(unfinished)";
    }

    @Test
    void decodesInAnyPieces() {
        String wire = "5\r\nhello\r\nA;ext=1\r\n0123456789\r\n1\r\n!\r\n0\r\nTrailer: x\r\n\r\n";
        for (int size = 1; size <= wire.length(); size++) {
            assertThat(decode(wire, size)).as("pieces of %d", size).isEqualTo("hello0123456789!");
        }
        assertThat(decode("3\nabc\n0\n\n", 2)).isEqualTo("abc");
        assertThat(decode("3\r\nabc\r\n", 4)).isEqualTo("(unfinished)");
    }

    @Test
    void rejectsWhatIsNotFraming() {
        assertThat(decode("x\r\n", 8)).isNull();
        assertThat(decode("\r\n", 8)).isNull();
        assertThat(decode("3\r\nabcX", 8)).isNull();
        assertThat(decode("1234567890abcdef0\r\n", 32)).isNull();
        assertThat(decode("5\r\n0\r\n\r\n", 32)).isEqualTo("(unfinished)");
    }

    private static int lastChunk(String s) {
        byte[] b = Wire.bytes(s);
        return ChunkedBody.lastChunkStart(b, 0, b.length);
    }

    @Test
    void findsTheLastChunkAtTheEnd() {
        assertThat(lastChunk("data\r\n0\r\n\r\n")).isEqualTo(6);
        assertThat(lastChunk("data\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n")).isEqualTo(6);
        assertThat(lastChunk("data\r\n0;x=y\r\n\r\n")).isEqualTo(6);
        assertThat(lastChunk("0\r\n\r\n")).isEqualTo(-1);
        assertThat(lastChunk("data\r\n10\r\n\r\n")).isEqualTo(-1);
        assertThat(lastChunk("data\r\n0\r\nnot a trailer\r\n\r\n")).isEqualTo(-1);
        assertThat(lastChunk("data\r\n0\r\n\r\nmore")).isEqualTo(-1);
        assertThat(lastChunk("\r\n\r\n\r\n\r\n")).isEqualTo(-1);
    }
}
