package io.aiscope.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a path through which this process can read the file behind another process's mapping.
 *
 * <p>The path in /proc/PID/maps is as the target sees it. In a container that path names a different file on the
 * host, or none; after a package upgrade or a JIT compiler's cleanup (Triton unlinks the kernels it loads) the
 * path no longer names the mapped file at all. So each candidate path is accepted only if its inode is the
 * mapping's.
 */
public final class MappedFiles {

    private MappedFiles() {}

    /**
     * In order: the plain path if it is the same file (device and inode; a host process); the path under the
     * target's root directory (a container: overlayfs reports another device there, so only the inode is
     * compared); the kernel's direct link to the mapped file (unlinked files, needs CAP_SYS_ADMIN).
     */
    public static Optional<Path> locate(int pid, ProcessMaps.Mapping mapping) {
        if (!mapping.isFileBacked()) return Optional.empty();
        Path plain = Path.of(mapping.path());
        if (!mapping.deleted() && isFile(plain, mapping.device(), mapping.inode())) return Optional.of(plain);
        Path proc = Path.of("/proc", Integer.toString(pid));
        Path inRoot = proc.resolve("root").resolve(mapping.path().substring(1));
        if (!mapping.deleted() && isFile(inRoot, -1, mapping.inode())) return Optional.of(inRoot);
        Path mapFile = proc.resolve("map_files")
                .resolve(Long.toHexString(mapping.start()) + "-" + Long.toHexString(mapping.end()));
        if (isFile(mapFile, -1, mapping.inode())) return Optional.of(mapFile);
        return Optional.empty();
    }

    /** Whether {@code path} is the file with {@code inode}, and on {@code device} unless that is -1. */
    private static boolean isFile(Path path, long device, long inode) {
        try {
            Map<String, Object> attributes = Files.readAttributes(path, "unix:dev,ino");
            return (long) attributes.get("ino") == inode && (device == -1 || (long) attributes.get("dev") == device);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
