package io.aiscope.probe.proc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A process's arguments as the kernel lays them out (each one NUL-terminated, as in /proc/PID/cmdline), and
 * whether the copy stopped before their end; the last argument of a cut copy is its beginning only.
 */
public record Argv(List<String> args, boolean cut) {
    public static final Argv NONE = new Argv(List.of(), false);

    /** The first {@code length} bytes of an argument block of {@code total} bytes in all. */
    public static Argv split(byte[] block, int length, long total) {
        int n = Math.min(length, block.length);
        List<String> args = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (block[i] == 0) {
                args.add(new String(block, from, i - from, StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        if (from < n) {
            args.add(new String(block, from, n - from, StandardCharsets.UTF_8)); // cut, or not NUL-terminated
        }
        return new Argv(List.copyOf(args), total > n);
    }
}
