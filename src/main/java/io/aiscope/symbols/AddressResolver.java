package io.aiscope.symbols;

import io.aiscope.target.MappedFiles;
import io.aiscope.target.ProcessMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Resolves code addresses seen in a process (kernel launch sites, return addresses) to function names.
 *
 * <p>Symbol tables are cached per file (device, inode), not per process: every worker of a training job maps the
 * same libtorch_cuda.so, and reading its symbols costs far more than the lookups. A process's maps are cached
 * too and re-read when an address falls outside them (a library loaded since); they stay cached after the
 * process exits, so addresses it reported just before exiting still resolve until {@link #forget(int)}.
 *
 * <p>Safe for concurrent use. Failures never throw: they are counted, see {@link #failures()}.
 */
public final class AddressResolver {

    /**
     * Counts of addresses left unresolved, by cause: the process's maps could not be read (it exited before its
     * first address came in); no mapping holds the address; anonymous memory (JIT code) or a file no path
     * reaches; no function symbol covers the address (a stripped file).
     */
    public record Failures(long processGone, long unmapped, long noReadableFile, long noSymbol) {}

    private static final int MAX_PROCESSES = 1024, MAX_FILES = 512;

    private record FileId(long device, long inode) {}

    /** What resolving needs from one ELF file; an unreadable or non-ELF file has no segments. */
    private record ModuleImage(List<LoadSegment> segments, SymbolTable symbols) {

        static final ModuleImage UNREADABLE = new ModuleImage(List.of(), SymbolTable.of(List.of()));

        static ModuleImage load(Path file) {
            try (ElfFile elf = ElfFile.open(file)) {
                return new ModuleImage(elf.loadSegments(), SymbolTable.of(elf));
            } catch (IOException e) {
                return UNREADABLE;
            }
        }

        /** The ELF virtual address of the byte at {@code fileOffset}, through the PT_LOAD segment holding it. */
        Optional<Long> vaddrOf(long fileOffset) {
            for (LoadSegment segment : segments) {
                if (segment.containsFileOffset(fileOffset)) return Optional.of(segment.vaddrOf(fileOffset));
            }
            return Optional.empty();
        }
    }

    private final Demangler demangler;
    private final BoundedCache<Integer, ProcessMaps> mapsByPid = new BoundedCache<>(MAX_PROCESSES);
    private final BoundedCache<FileId, ModuleImage> images = new BoundedCache<>(MAX_FILES);
    private final BoundedCache<FileId, Path> knownFiles = new BoundedCache<>(MAX_FILES * 8);
    private final LongAdder processGone = new LongAdder(), unmapped = new LongAdder(),
            noReadableFile = new LongAdder(), noSymbol = new LongAdder();

    public AddressResolver(Demangler demangler) {
        this.demangler = demangler;
    }

    /**
     * The function at {@code address} of process {@code pid}, which the BPF side also {@code located} in a file
     * (may be null): the file settles it without reading /proc, so it works after the process has exited.
     */
    public Optional<ResolvedSymbol> resolve(int pid, long address, FileLocation located) {
        if (located != null) {
            Optional<ResolvedSymbol> inFile = inFile(located);
            if (inFile.isPresent()) {
                return inFile;
            }
        }
        return resolve(pid, address);
    }

    /** Empty when the file was never seen (no path known) or no symbol covers the place. */
    private Optional<ResolvedSymbol> inFile(FileLocation location) {
        FileId id = new FileId(location.device(), location.inode());
        Path path = knownFiles.get(id);
        if (path == null) {
            return Optional.empty();
        }
        ModuleImage image = images.get(id);
        if (image == null) {
            image = ModuleImage.load(path);
            images.put(id, image);
        }
        Optional<Long> vaddr = image.vaddrOf(location.offset());
        Optional<ElfSymbol> symbol = vaddr.flatMap(image.symbols()::symbolAt);
        if (symbol.isEmpty()) {
            return Optional.empty();
        }
        String name = symbol.get().name();
        return Optional.of(new ResolvedSymbol(path.toString(), name, demangler.demangle(name),
                vaddr.get() - symbol.get().value()));
    }

    /** Notes where a file that processes run or map can be read (an exec'd program), if it is there now. */
    public void rememberFile(Path path) {
        try {
            var attrs = Files.readAttributes(path, "unix:dev,ino");
            knownFiles.put(new FileId((Long) attrs.get("dev"), (Long) attrs.get("ino")), path);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Not there (any more), or not a file: nothing to remember.
        }
    }

    /** The function at {@code address} in process {@code pid}, or empty (and a failure counted). */
    public Optional<ResolvedSymbol> resolve(int pid, long address) {
        Optional<ProcessMaps.Mapping> found = mappingOf(pid, address);
        if (found.isEmpty()) return Optional.empty();
        ProcessMaps.Mapping mapping = found.get();
        Optional<ModuleImage> image = imageOf(pid, mapping);
        if (image.isEmpty()) {
            noReadableFile.increment();
            return Optional.empty();
        }
        Optional<Long> vaddr = image.get().vaddrOf(address - mapping.start() + mapping.offset());
        Optional<ElfSymbol> symbol = vaddr.flatMap(image.get().symbols()::symbolAt);
        if (symbol.isEmpty()) {
            noSymbol.increment();
            return Optional.empty();
        }
        String name = symbol.get().name();
        return Optional.of(new ResolvedSymbol(mapping.path(), name, demangler.demangle(name),
                vaddr.get() - symbol.get().value()));
    }

    /**
     * Reads the process's maps now, while it lives: addresses it reported shortly before exiting (events reach
     * us a few milliseconds late) then still resolve.
     */
    public void remember(int pid) {
        try {
            remember(pid, ProcessMaps.read(pid));
        } catch (IOException e) {
            // Gone already: only a later resolve for it counts as a failure.
        }
    }

    /** The same with maps the caller has just read. */
    public void remember(int pid, ProcessMaps maps) {
        mapsByPid.put(pid, maps);
        for (ProcessMaps.Mapping m : maps.mappings()) {
            FileId id = new FileId(m.device(), m.inode());
            if (m.isExecutable() && m.isFileBacked() && knownFiles.get(id) == null) {
                MappedFiles.locate(pid, m).ifPresent(p -> knownFiles.put(id, p));
            }
        }
    }

    /** Drops the cached maps of an exited process, so that its pid can be reused. */
    public void forget(int pid) {
        mapsByPid.remove(pid);
    }

    public Failures failures() {
        return new Failures(processGone.sum(), unmapped.sum(), noReadableFile.sum(), noSymbol.sum());
    }

    private Optional<ProcessMaps.Mapping> mappingOf(int pid, long address) {
        ProcessMaps cached = mapsByPid.get(pid);
        Optional<ProcessMaps.Mapping> mapping = cached == null ? Optional.empty() : cached.find(address);
        if (mapping.isPresent()) return mapping;
        ProcessMaps fresh;
        try {
            fresh = ProcessMaps.read(pid);
        } catch (IOException e) {
            processGone.increment();
            return Optional.empty();
        }
        mapsByPid.put(pid, fresh);
        mapping = fresh.find(address);
        if (mapping.isEmpty()) unmapped.increment();
        return mapping;
    }

    /**
     * Empty for anonymous memory and for files that cannot be read. A file no path reaches is not remembered:
     * another process may still show it.
     */
    private Optional<ModuleImage> imageOf(int pid, ProcessMaps.Mapping mapping) {
        if (!mapping.isFileBacked()) return Optional.empty();
        FileId id = new FileId(mapping.device(), mapping.inode());
        ModuleImage image = images.get(id);
        if (image == null) {
            Optional<Path> file = MappedFiles.locate(pid, mapping);
            if (file.isEmpty()) return Optional.empty();
            image = ModuleImage.load(file.get());
            images.put(id, image);
        }
        return image == ModuleImage.UNREADABLE ? Optional.empty() : Optional.of(image);
    }
}
