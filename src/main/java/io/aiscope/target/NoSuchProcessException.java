package io.aiscope.target;

import java.io.IOException;

/** The process does not exist, or exited before its /proc entries could be read. */
public final class NoSuchProcessException extends IOException {

    private final int pid;

    public NoSuchProcessException(int pid) {
        super("no process with pid " + pid + " (it may have exited)");
        this.pid = pid;
    }

    public int pid() {
        return pid;
    }
}
