package io.aiscope.probe.tls;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

@Tag("unit")
class UnseenTlsTest {
    @Test
    void namesTellJavaGnuTlsAndNss(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"libjvm.so", "libgnutls.so.30", "libnss3.so", "libssl3.so"}) {
            Files.writeString(dir.resolve(name), "not ELF");
        }
        assertThat(UnseenTls.reason(dir.resolve("libjvm.so"))).hasValueSatisfying(r -> assertThat(r).contains("JSSE"));
        assertThat(UnseenTls.reason(dir.resolve("libgnutls.so.30"))).hasValue("GnuTLS is not probed");
        assertThat(UnseenTls.reason(dir.resolve("libnss3.so"))).hasValue("NSS is not probed");
        assertThat(UnseenTls.reason(dir.resolve("libssl3.so"))).hasValue("NSS is not probed");
    }

    @Test
    void probedOpenSslAndPlainLibrariesAreNotUnseen() {
        Path libssl = Path.of("/usr/lib/x86_64-linux-gnu/libssl.so.3");
        assumeThat(libssl).exists();
        assertThat(UnseenTls.reason(libssl)).isEmpty();
        assertThat(UnseenTls.reason(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"))).isEmpty();
        assertThat(UnseenTls.reason(Path.of("/bin/sh"))).isEmpty();
    }

    @Test
    void unreadableOrNonElfFilesAreNotUnseen(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("libfoo.so"), "not ELF");
        assertThat(UnseenTls.reason(dir.resolve("libfoo.so"))).isEmpty();
        assertThat(UnseenTls.reason(dir.resolve("missing.so"))).isEmpty();
    }
}
