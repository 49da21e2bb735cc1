package io.aiscope.probe.tls;

import io.aiscope.engine.UprobePlan;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the write and read probes go in code laid out like OpenSSL 3's (bytes written by the test). */
@Tag("unit")
class OpenSslInternalsTest {
    private static final int SSL_WRITE = 0x100, SSL_WRITE_EX = 0x200, WRITE_INTERNAL = 0x300;
    private static final List<UprobePlan.Probe> PROBES = List.of(probe(TlsFunction.SSL_write),
            probe(TlsFunction.SSL_write_ex), probe(TlsFunction.SSL_free));
    private static final Map<String, Long> OFFSETS = Map.of("SSL_write", (long) SSL_WRITE, "SSL_write_ex",
            (long) SSL_WRITE_EX, "SSL_free", 0x400L);

    @TempDir
    Path dir;

    private static UprobePlan.Probe probe(TlsFunction f) {
        return new UprobePlan.Probe(f.name(), null, null, cookie(f));
    }

    private static long cookie(TlsFunction f) {
        return f.ordinal() + 1;
    }

    /** sub $8,%rsp; call rel32 to {@code target}, at {@code at}. */
    private static void wrapper(byte[] code, int at, int target) {
        code[at] = 0x48;
        code[at + 1] = (byte) 0x83;
        code[at + 2] = (byte) 0xec;
        code[at + 3] = 0x08;
        call(code, at + 4, target);
    }

    private static void call(byte[] code, int at, int target) {
        int rel = target - (at + 5);
        code[at] = (byte) 0xe8;
        for (int i = 0; i < 4; i++) {
            code[at + 1 + i] = (byte) (rel >> (8 * i));
        }
    }

    private Map<String, UprobePlan.Place> place(byte[] code) throws IOException {
        Path file = Files.write(dir.resolve("libssl.so.3"), code);
        return new OpenSslInternals().place(file, PROBES, OFFSETS);
    }

    @Test
    void bothWriteFormsMoveToTheInternalFunctionTheyShare() throws IOException {
        byte[] code = new byte[0x500];
        code[SSL_WRITE] = 0x48; // sub $0x18,%rsp … call ssl_write_internal further on
        call(code, SSL_WRITE + 30, WRITE_INTERNAL);
        wrapper(code, SSL_WRITE_EX, WRITE_INTERNAL);
        code[WRITE_INTERNAL] = 0x41; // push %r14
        code[WRITE_INTERNAL + 1] = 0x56;
        Map<String, UprobePlan.Place> places = place(code);
        assertThat(places).containsOnlyKeys("SSL_write_ex", "SSL_free");
        assertThat(places.get("SSL_write_ex"))
                .isEqualTo(new UprobePlan.Place(WRITE_INTERNAL, cookie(TlsFunction.SSL_write_ex)));
        assertThat(places.get("SSL_free").fileOffset()).isEqualTo(0x400L);
    }

    @Test
    void aPublicFormThatDoesNotCallTheInternalFunctionKeepsBothAtTheirSymbols() throws IOException {
        byte[] code = new byte[0x500];
        wrapper(code, SSL_WRITE_EX, WRITE_INTERNAL);
        code[WRITE_INTERNAL] = 0x55; // push %rbp
        assertThat(place(code))
                .containsEntry("SSL_write", new UprobePlan.Place(SSL_WRITE, cookie(TlsFunction.SSL_write)))
                .containsEntry("SSL_write_ex", new UprobePlan.Place(SSL_WRITE_EX, cookie(TlsFunction.SSL_write_ex)));
    }

    @Test
    void anInternalFunctionThatDoesNotBeginWithAPushIsNotUsed() throws IOException {
        byte[] code = new byte[0x500];
        call(code, SSL_WRITE + 30, WRITE_INTERNAL);
        wrapper(code, SSL_WRITE_EX, WRITE_INTERNAL);
        code[WRITE_INTERNAL] = 0x48; // sub: the same single-step
        assertThat(place(code))
                .containsEntry("SSL_write_ex", new UprobePlan.Place(SSL_WRITE_EX, cookie(TlsFunction.SSL_write_ex)))
                .containsKey("SSL_write");
    }

    @Test
    void anotherPrologueStaysAtTheSymbols() throws IOException {
        byte[] code = new byte[0x500];
        code[SSL_WRITE_EX] = (byte) 0xf3; // endbr64 …
        assertThat(place(code)).containsOnlyKeys("SSL_write", "SSL_write_ex", "SSL_free");
    }
}
