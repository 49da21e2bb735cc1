package io.aiscope.probe.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc tells of a process that was running before aiscope traced it (no fork or exec event for it). */
final class ProcFs {
    private static final int ARGS_LEN = 1024; // as much as an exec event carries

    private ProcFs() {}

    /** Its parent, or 0 when it is gone. */
    static int ppid(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Integer.parseInt(rest[1]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Its arguments, cut as an exec event's would be; none when it is gone (or a kernel thread). */
    static Argv cmdline(int pid) {
        try {
            byte[] block = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return Argv.split(block, Math.min(block.length, ARGS_LEN), block.length);
        } catch (IOException gone) {
            return Argv.NONE;
        }
    }
}
