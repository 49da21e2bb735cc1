package io.aiscope.bpf;

import java.util.Map;

/** Names for the errno values libbpf and the bpf(2) syscall hand back most. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, E2BIG = 7, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOSPC = 28, ENOTSUP = 95;

    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(EPERM, "EPERM (operation not permitted)"),
            Map.entry(ENOENT, "ENOENT (no such file, symbol or attach point)"),
            Map.entry(ESRCH, "ESRCH (no such process)"),
            Map.entry(E2BIG, "E2BIG (argument too big)"),
            Map.entry(EBADF, "EBADF (bad file descriptor)"),
            Map.entry(EAGAIN, "EAGAIN (try again)"),
            Map.entry(ENOMEM, "ENOMEM (out of memory)"),
            Map.entry(EACCES, "EACCES (permission denied / rejected by the verifier)"),
            Map.entry(EFAULT, "EFAULT (bad address)"),
            Map.entry(EBUSY, "EBUSY (busy)"),
            Map.entry(EEXIST, "EEXIST (exists)"),
            Map.entry(EINVAL, "EINVAL (invalid argument)"),
            Map.entry(ENOSPC, "ENOSPC (no space)"),
            Map.entry(ENOTSUP, "EOPNOTSUPP (not supported)"));

    public static String describe(int errno) {
        int e = Math.abs(errno);
        return TEXT.getOrDefault(e, "errno " + e);
    }
}
