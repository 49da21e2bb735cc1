package io.aiscope.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The memory mappings of one process, as listed by /proc/PID/maps, in ascending address order. */
public final class ProcessMaps {

    private static final String DELETED_SUFFIX = " (deleted)";

    /**
     * One line of /proc/PID/maps: {@code [start, end)} maps the file at {@code offset}. {@code device} is encoded
     * like {@code stat.st_dev}, so it compares equal to {@code Files.getAttribute(path, "unix:dev")}. {@code path}
     * is empty for anonymous memory, a bracketed name for special areas ({@code [heap]}, {@code [vdso]}); a file
     * unlinked since it was mapped has {@code deleted} set and its old path.
     */
    public record Mapping(long start, long end, String perms, long offset, long device, long inode,
                          String path, boolean deleted) {

        public boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }

        public boolean isExecutable() {
            return perms.charAt(2) == 'x';
        }

        public boolean isFileBacked() {
            return inode != 0 && path.startsWith("/");
        }
    }

    private final List<Mapping> mappings;

    private ProcessMaps(List<Mapping> mappings) {
        this.mappings = mappings;
    }

    public static ProcessMaps read(int pid) throws IOException {
        try {
            return parse(Files.readString(Path.of("/proc", Integer.toString(pid), "maps")));
        } catch (NoSuchFileException gone) {
            throw new NoSuchProcessException(pid);
        } catch (IOException e) {
            // Reading maps of an exiting process fails with ESRCH, which Java reports as a plain IOException.
            if (Files.notExists(Path.of("/proc", Integer.toString(pid)))) throw new NoSuchProcessException(pid);
            throw e;
        }
    }

    /** Parses the text of a /proc/PID/maps file; a malformed line is an {@link IllegalArgumentException}. */
    public static ProcessMaps parse(String text) {
        List<Mapping> mappings = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) mappings.add(parseLine(line));
        }
        return new ProcessMaps(List.copyOf(mappings));
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    /** The mapping holding {@code address}, found by binary search over the sorted, disjoint mappings. */
    public Optional<Mapping> find(long address) {
        int low = 0, high = mappings.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Mapping mapping = mappings.get(mid);
            if (Long.compareUnsigned(address, mapping.start()) < 0) high = mid - 1;
            else if (Long.compareUnsigned(address, mapping.end()) >= 0) low = mid + 1;
            else return Optional.of(mapping);
        }
        return Optional.empty();
    }

    // 7f9a9d5eb000-7f9a9d741000 r-xp 00026000 fe:00 339380     /usr/lib/x86_64-linux-gnu/libc.so.6
    private static Mapping parseLine(String line) {
        try {
            String[] fields = line.trim().split("\\s+", 6);
            if (fields[1].length() != 4) throw new IllegalArgumentException("permissions are not 4 characters");
            int dash = fields[0].indexOf('-'), colon = fields[3].indexOf(':');
            String path = fields.length == 6 ? fields[5] : "";
            boolean deleted = path.endsWith(DELETED_SUFFIX);
            return new Mapping(
                    Long.parseUnsignedLong(fields[0], 0, dash, 16),
                    Long.parseUnsignedLong(fields[0], dash + 1, fields[0].length(), 16),
                    fields[1],
                    Long.parseUnsignedLong(fields[2], 16),
                    encodeDevice(Integer.parseInt(fields[3], 0, colon, 16),
                            Integer.parseInt(fields[3], colon + 1, fields[3].length(), 16)),
                    Long.parseLong(fields[4]),
                    deleted ? path.substring(0, path.length() - DELETED_SUFFIX.length()) : path,
                    deleted);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed /proc/PID/maps line: " + line, e);
        }
    }

    /** glibc's makedev(): the st_dev encoding of a (major, minor) device number. */
    static long encodeDevice(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }
}
