package io.aiscope.engine;

import io.aiscope.bpf.BpfProgram;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a family wants uprobes: in every ELF file mapped by a traced process (or found on the system under
 * {@code fileGlob}) that defines any of the probed functions, each function gets its entry and return program, at
 * the place {@code placement} gives (its symbol, unless the family knows better for that file).
 */
public record UprobePlan(String family, String libraryKind, String fileGlob, List<Probe> probes, Placement placement) {
    /**
     * One probed function; {@code onReturn} may be null where the return value does not matter. The cookie
     * reaches the BPF program (bpf_get_attach_cookie), so one program can serve many functions.
     */
    public record Probe(String function, BpfProgram onEntry, BpfProgram onReturn, long cookie) {}

    /** Where a probe goes in a file: a file offset, and the cookie its programs get there. */
    public record Place(long fileOffset, long cookie) {}

    /** Chooses the places of a plan's probes in one file. */
    @FunctionalInterface
    public interface Placement {
        /**
         * @param offsets file offsets of the probed functions the file defines
         * @return the place of each function to probe; a function left out is covered by another's place
         */
        Map<String, Place> place(Path file, List<Probe> probes, Map<String, Long> offsets) throws IOException;
    }

    /** Every probe at its function's symbol. */
    public static final Placement AT_SYMBOLS = (file, probes, offsets) -> {
        Map<String, Place> places = new LinkedHashMap<>();
        for (Probe p : probes) {
            Long offset = offsets.get(p.function());
            if (offset != null) {
                places.put(p.function(), new Place(offset, p.cookie()));
            }
        }
        return places;
    };

    public UprobePlan(String family, String libraryKind, String fileGlob, List<Probe> probes) {
        this(family, libraryKind, fileGlob, probes, AT_SYMBOLS);
    }

    public Set<String> functions() {
        return probes.stream().map(Probe::function).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
