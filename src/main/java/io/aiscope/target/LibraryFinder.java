package io.aiscope.target;

import io.aiscope.symbols.ElfFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the files defining a set of functions: the libraries to attach uprobes to.
 *
 * <p>Files are recognised by the functions they define, not by their names: PyTorch wheels bundle their own
 * libcudart (site-packages/nvidia/cuda_runtime/lib/libcudart.so.12), and some programs link the CUDA runtime
 * statically into the executable itself.
 */
public final class LibraryFinder {

    private record FileId(long device, long inode) {}

    private final Set<String> wantedFunctions;
    /**
     * The wanted functions each file mapped by a scanned process defines (mostly none): every worker of a job maps
     * the same few hundred libraries, and their symbol tables need reading only once.
     */
    private final Map<FileId, Set<String>> definedByMappedFile = new ConcurrentHashMap<>();

    public LibraryFinder(Set<String> wantedFunctions) {
        if (wantedFunctions.isEmpty()) throw new IllegalArgumentException("no functions to look for");
        this.wantedFunctions = Set.copyOf(wantedFunctions);
    }

    /**
     * The files mapped executable by process {@code pid} that define at least one wanted function, each once.
     * Their device and inode are those the process's maps report: the file uprobes attach to.
     */
    public List<LibraryCandidate> findInProcess(int pid) throws IOException {
        return findInProcess(pid, ProcessMaps.read(pid));
    }

    /** The same, on maps the caller has just read (one read serves several finders and the symbol resolver). */
    public List<LibraryCandidate> findInProcess(int pid, ProcessMaps maps) {
        Set<FileId> seen = new HashSet<>();
        List<LibraryCandidate> found = new ArrayList<>();
        for (ProcessMaps.Mapping mapping : maps.mappings()) {
            FileId id = new FileId(mapping.device(), mapping.inode());
            if (!mapping.isExecutable() || !mapping.isFileBacked() || !seen.add(id)) continue;
            Set<String> defined = definedByMappedFile.get(id);
            if (defined != null && defined.isEmpty()) continue;
            // The path is looked up in every process: each container reaches the same file by its own path.
            Optional<Path> file = MappedFiles.locate(pid, mapping);
            if (file.isEmpty()) continue;
            if (defined == null) {
                defined = definedIn(file.get()).orElse(Set.of());
                definedByMappedFile.put(id, defined);
            }
            if (!defined.isEmpty()) found.add(new LibraryCandidate(file.get(), mapping.device(), mapping.inode(), defined));
        }
        return found;
    }

    /** Searches the {@link LibraryDirectories#standard() standard directories} for files named like {@code fileNameGlob}. */
    public LibrarySearch findOnSystem(String fileNameGlob) {
        return findIn(LibraryDirectories.standard(), fileNameGlob);
    }

    /**
     * Searches {@code directories} (not their subdirectories) for files named like {@code fileNameGlob}
     * (e.g. {@code libcudart.so*}). Symbolic links are followed and each file is reported once, by its real path.
     */
    public LibrarySearch findIn(List<Path> directories, String fileNameGlob) {
        Set<FileId> seen = new HashSet<>();
        List<LibraryCandidate> found = new ArrayList<>();
        List<Path> withoutWantedFunctions = new ArrayList<>();
        for (Path directory : directories) {
            for (Path file : realFilesIn(directory, fileNameGlob)) {
                Optional<FileId> id = fileId(file);
                if (id.isEmpty() || !seen.add(id.get())) continue;
                Optional<Set<String>> defined = definedIn(file);
                if (defined.isEmpty()) continue;
                if (defined.get().isEmpty()) withoutWantedFunctions.add(file);
                else found.add(new LibraryCandidate(file, id.get().device(), id.get().inode(), defined.get()));
            }
        }
        return new LibrarySearch(found, withoutWantedFunctions);
    }

    /** The regular files matching {@code glob} in {@code directory}, by real path, in name order. */
    private static List<Path> realFilesIn(Path directory, String glob) {
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, glob)) {
            entries.forEach(names::add);
        } catch (IOException absent) {
            return List.of();
        }
        names.sort(null);
        List<Path> files = new ArrayList<>();
        for (Path name : names) {
            try {
                Path real = name.toRealPath();
                if (Files.isRegularFile(real)) files.add(real);
            } catch (IOException danglingLink) {
                // a symbolic link to a removed version: nothing to report
            }
        }
        return files;
    }

    /** The wanted functions {@code file} defines, or empty if it is unreadable or not ELF (a linker script). */
    private Optional<Set<String>> definedIn(Path file) {
        try (ElfFile elf = ElfFile.open(file)) {
            return Optional.of(elf.definedFunctions(wantedFunctions));
        } catch (IOException notElfOrUnreadable) {
            return Optional.empty();
        }
    }

    private static Optional<FileId> fileId(Path file) {
        try {
            Map<String, Object> attributes = Files.readAttributes(file, "unix:dev,ino");
            return Optional.of(new FileId((long) attributes.get("dev"), (long) attributes.get("ino")));
        } catch (IOException vanished) {
            return Optional.empty();
        }
    }
}
