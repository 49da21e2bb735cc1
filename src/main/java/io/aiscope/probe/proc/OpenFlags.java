package io.aiscope.probe.proc;

import java.util.StringJoiner;

/** open(2) flags (x86-64 values) as the names a reader knows from the man page. */
public final class OpenFlags {
    private static final int ACCESS = 03, SYNC_BIT = 04000000, DSYNC = 010000, TMPFILE_BIT = 020000000,
            DIRECTORY = 0200000;
    private static final String[] ACCESS_NAMES = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    private static final int[] BITS = {0100, 0200, 0400, 01000, 02000, 04000, 020000, 040000, 0100000, 0400000,
            01000000, 02000000, 010000000};
    private static final String[] NAMES = {"O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK",
            "O_ASYNC", "O_DIRECT", "O_LARGEFILE", "O_NOFOLLOW", "O_NOATIME", "O_CLOEXEC", "O_PATH"};

    private OpenFlags() {}

    /** {@code O_WRONLY|O_CREAT|O_TRUNC}; bits without a name as one hexadecimal rest. */
    public static String describe(int flags) {
        StringJoiner s = new StringJoiner("|");
        s.add(ACCESS_NAMES[flags & ACCESS]);
        int rest = flags & ~ACCESS;
        for (int i = 0; i < BITS.length; i++) {
            if ((rest & BITS[i]) != 0) {
                s.add(NAMES[i]);
                rest &= ~BITS[i];
            }
        }
        // O_SYNC and O_TMPFILE are two bits each, one of them shared with another flag.
        if ((rest & SYNC_BIT) != 0) {
            s.add((rest & DSYNC) != 0 ? "O_SYNC" : "__O_SYNC");
            rest &= ~(SYNC_BIT | DSYNC);
        }
        if ((rest & TMPFILE_BIT) != 0) {
            s.add((rest & DIRECTORY) != 0 ? "O_TMPFILE" : "__O_TMPFILE");
            rest &= ~(TMPFILE_BIT | DIRECTORY);
        }
        if ((rest & DSYNC) != 0) {
            s.add("O_DSYNC");
        }
        if ((rest & DIRECTORY) != 0) {
            s.add("O_DIRECTORY");
        }
        rest &= ~(DSYNC | DIRECTORY);
        if (rest != 0) {
            s.add("0x" + Integer.toHexString(rest));
        }
        return s.toString();
    }
}
