package io.aiscope.target;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a search by file name: the libraries that define wanted functions, and the ELF files whose name
 * matched but define none of them (a stub, or a library of the wrong kind), so that the user can be told why.
 */
public record LibrarySearch(List<LibraryCandidate> found, List<Path> withoutWantedFunctions) {

    public LibrarySearch {
        found = List.copyOf(found);
        withoutWantedFunctions = List.copyOf(withoutWantedFunctions);
    }
}
