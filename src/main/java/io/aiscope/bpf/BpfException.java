package io.aiscope.bpf;

/** A libbpf or kernel refusal, with the errno behind it where there is one. */
public class BpfException extends RuntimeException {
    public BpfException(String message) {
        this(message, 0);
    }

    public BpfException(String message, int errno) {
        super(errno == 0 ? message : message + ": " + Errno.describe(errno));
    }
}
