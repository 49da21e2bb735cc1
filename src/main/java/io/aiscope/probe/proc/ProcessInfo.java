package io.aiscope.probe.proc;

import java.util.ArrayDeque;
import java.util.Deque;

/** What the proc family learnt about one traced process. */
final class ProcessInfo {
    /** Images kept per process: the latest ones (a wrapper that execs its real program keeps both). */
    static final int MAX_EXECS = 4;

    /** One program the process began running. */
    record Exec(long tsNs, String filename, String comm, Argv argv) {}

    final int pid;
    int ppid;
    String comm;
    String exe;
    /** The current image's arguments: from its exec, or /proc for a process traced while running. */
    Argv argv = Argv.NONE;
    final Deque<Exec> execs = new ArrayDeque<>(1);
    long startNs;
    long exitNs;
    Integer waitStatus;

    ProcessInfo(int pid) {
        this.pid = pid;
    }

    boolean exited() {
        return waitStatus != null;
    }

    /** Records an exec; returns how many older ones were let go to stay within {@link #MAX_EXECS}. */
    int exec(Exec image) {
        exe = image.filename();
        argv = image.argv();
        execs.addLast(image);
        if (execs.size() > MAX_EXECS) {
            execs.removeFirst();
            return 1;
        }
        return 0;
    }

    /** The exit code as a shell reports it: the code, or 128 + signal for a killed process. */
    Integer exitCode() {
        return waitStatus == null ? null : shellCode(waitStatus);
    }

    /** A wait(2) status as a shell reports it. */
    static int shellCode(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal != 0 ? 128 + signal : (waitStatus >> 8) & 0xff;
    }
}
