package io.aiscope.probe.tls;

import io.aiscope.engine.UprobePlan;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Probes OpenSSL 3's internal write and read functions instead of their public wrappers, where the file shows how.
 *
 * <p>In a typical build {@code SSL_write_ex} is {@code sub $8,%rsp; call ssl_write_internal; …}, and {@code SSL_write}
 * calls the same {@code ssl_write_internal(s, buf, num, &written)} (likewise {@code SSL_read}/{@code SSL_read_ex} and
 * {@code ssl_read_internal}). The x86 kernel cannot emulate {@code sub $imm,%rsp}: a uprobe there single-steps it
 * out of line, ≈ 14 µs a hit on a virtual machine (BENCHMARKS.md), in every process that maps the library. The
 * internal functions begin with {@code push}, which the kernel emulates, and have the {@code _ex} signature and
 * result; one probe there sees both public forms. So when {@code SSL_x_ex} is that wrapper, its internal function
 * begins with a push, and {@code SSL_x} calls the same function, the pair is probed there (as {@code SSL_x_ex});
 * otherwise both stay at their symbols.
 */
final class OpenSslInternals implements UprobePlan.Placement {
    /** {@code SSL_write} and {@code SSL_read} are short; their call of the internal function is near the start. */
    private static final int MAX_SCAN = 512;

    @Override
    public Map<String, UprobePlan.Place> place(Path file, List<UprobePlan.Probe> probes, Map<String, Long> offsets)
            throws IOException {
        Map<String, UprobePlan.Place> places = new LinkedHashMap<>(UprobePlan.AT_SYMBOLS.place(file, probes, offsets));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            moveToInternal(f, places, offsets, TlsFunction.SSL_write_ex, TlsFunction.SSL_write);
            moveToInternal(f, places, offsets, TlsFunction.SSL_read_ex, TlsFunction.SSL_read);
        }
        return places;
    }

    private static void moveToInternal(RandomAccessFile f, Map<String, UprobePlan.Place> places,
            Map<String, Long> offsets, TlsFunction ex, TlsFunction plain) throws IOException {
        Long exAt = offsets.get(ex.name());
        if (exAt == null) {
            return;
        }
        byte[] wrapper = read(f, exAt, 9);
        // sub $imm8,%rsp (48 83 ec ib); call rel32 (e8 cd)
        if (wrapper == null || wrapper.length < 9 || (wrapper[0] & 0xff) != 0x48 || (wrapper[1] & 0xff) != 0x83 || (wrapper[2] & 0xff) != 0xec
                || (wrapper[4] & 0xff) != 0xe8) {
            return;
        }
        long internal = exAt + 9 + le32(wrapper, 5);
        if (!beginsWithPush(read(f, internal, 2))) {
            return;
        }
        Long plainAt = offsets.get(plain.name());
        if (plainAt != null && !calls(read(f, plainAt, scanLength(plainAt, offsets)), plainAt, internal)) {
            return; // SSL_x reaches the write or read some other way: probing the internal function would miss it
        }
        places.put(ex.name(), new UprobePlan.Place(internal, places.get(ex.name()).cookie()));
        places.remove(plain.name());
    }

    /**
     * How far {@code SSL_x}'s code may reach: up to the next probed function after it ({@code SSL_x_ex} follows it in
     * OpenSSL's source), so that the wrapper's own call is not taken for one of {@code SSL_x}'s.
     */
    private static int scanLength(long at, Map<String, Long> offsets) {
        long next = offsets.values().stream().filter(o -> o > at).min(Long::compare).orElse(at + MAX_SCAN);
        return (int) Math.min(MAX_SCAN, next - at);
    }

    /** Whether the code at {@code at} has a call rel32 to {@code target} (a false match needs its exact target). */
    private static boolean calls(byte[] code, long at, long target) {
        if (code == null) {
            return false;
        }
        for (int i = 0; i + 5 <= code.length; i++) {
            if ((code[i] & 0xff) == 0xe8 && at + i + 5 + le32(code, i + 1) == target) {
                return true;
            }
        }
        return false;
    }

    /** push %reg (50+r) or push %r8-15 (41 50+r): emulated by the kernel's uprobes. */
    private static boolean beginsWithPush(byte[] b) {
        if (b == null) {
            return false;
        }
        int first = b[0] & 0xff, second = b[1] & 0xff;
        return (first >= 0x50 && first <= 0x57) || (first == 0x41 && second >= 0x50 && second <= 0x57);
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (long) b[at + 3] << 24;
    }

    /** {@code n} bytes at {@code offset}, or fewer at the end of the file; null when there are none. */
    private static byte[] read(RandomAccessFile f, long offset, int n) throws IOException {
        if (offset < 0 || offset >= f.length()) {
            return null;
        }
        byte[] b = new byte[(int) Math.min(n, f.length() - offset)];
        f.seek(offset);
        f.readFully(b);
        return b.length < Math.min(n, 2) ? null : b;
    }
}
