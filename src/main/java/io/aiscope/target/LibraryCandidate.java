package io.aiscope.target;

import java.nio.file.Path;
import java.util.Set;

/**
 * A file defining some of the wanted functions. {@code path} can be opened from this process (for a file mapped
 * by a containerised process it may lie under /proc/PID/root); {@code device} and {@code inode} identify the file
 * itself, the key uprobes attach by.
 */
public record LibraryCandidate(Path path, long device, long inode, Set<String> definedNames) {

    public LibraryCandidate {
        definedNames = Set.copyOf(definedNames);
    }
}
