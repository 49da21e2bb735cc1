package io.aiscope.probe.proc;

/** What the proc family learnt about one traced process. */
public final class ProcessInfo {
    final int pid;
    int ppid;
    String comm;
    String exe;
    long startNs;
    long exitNs;
    Integer waitStatus;

    ProcessInfo(int pid) {
        this.pid = pid;
    }

    public int pid() {
        return pid;
    }

    public int ppid() {
        return ppid;
    }

    public String comm() {
        return comm;
    }

    public String exe() {
        return exe;
    }

    public boolean exited() {
        return waitStatus != null;
    }

    /** The exit code as a shell reports it: the code, or 128 + signal for a killed process. */
    public Integer exitCode() {
        if (waitStatus == null) {
            return null;
        }
        int signal = waitStatus & 0x7f;
        return signal != 0 ? 128 + signal : (waitStatus >> 8) & 0xff;
    }
}
