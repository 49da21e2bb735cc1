package io.aiscope.engine;

import io.aiscope.bpf.BpfProgram;

import java.util.List;
import java.util.Set;

/**
 * Where a family wants uprobes: in every ELF file mapped by a traced process (or found on the system under
 * {@code fileGlob}) that defines any of the probed functions, each function gets its entry and return program.
 */
public record UprobePlan(String family, String libraryKind, String fileGlob, List<Probe> probes) {
    /**
     * One probed function; {@code onReturn} may be null where the return value does not matter. The cookie
     * reaches the BPF program (bpf_get_attach_cookie), so one program can serve many functions.
     */
    public record Probe(String function, BpfProgram onEntry, BpfProgram onReturn, long cookie) {}

    public Set<String> functions() {
        return probes.stream().map(Probe::function).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
