package io.aiscope.engine;

import io.aiscope.bpf.BpfLink;
import io.aiscope.target.LibraryCandidate;
import io.aiscope.target.LibraryFinder;
import io.aiscope.target.LibrarySearch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts each family's uprobes into every copy of its library: the system's, ones bundled in wheels or apps, any
 * version, and executables that link it statically with symbols. A uprobe on a file fires in every process
 * mapping it, and the BPF side keeps only traced processes, so each file is attached once, whoever maps it.
 */
final class LibraryAttacher {
    private final AgentLog log;
    private final List<PlanState> plans = new ArrayList<>();
    private final Map<String, AttachedLibrary> attached = new LinkedHashMap<>();
    private final Map<String, String> withoutSymbols = new ConcurrentHashMap<>();
    private final List<BpfLink> links = new ArrayList<>();

    private record PlanState(UprobePlan plan, LibraryFinder finder) {}

    LibraryAttacher(AgentLog log) {
        this.log = log;
    }

    synchronized void add(UprobePlan plan) {
        PlanState state = new PlanState(plan, new LibraryFinder(plan.functions()));
        plans.add(state);
        LibrarySearch search = state.finder.findOnSystem(plan.fileGlob());
        search.found().forEach(c -> attach(state, c));
        search.withoutWantedFunctions().forEach(p -> withoutSymbols.put(p.toString(), plan.libraryKind()));
    }

    /** Looks at what {@code pid} maps now and probes files not seen before. */
    synchronized void scan(int pid) throws IOException {
        for (PlanState state : plans) {
            for (LibraryCandidate c : state.finder.findInProcess(pid)) {
                attach(state, c);
            }
        }
    }

    private void attach(PlanState state, LibraryCandidate lib) {
        String key = state.plan.family() + "@" + lib.device() + ":" + lib.inode();
        if (attached.containsKey(key)) {
            return;
        }
        List<String> ok = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (UprobePlan.Probe probe : state.plan.probes()) {
            if (!lib.definedNames().contains(probe.function())) {
                missing.add(probe.function());
                continue;
            }
            try {
                links.add(probe.onEntry().attachUprobe(lib.path(), probe.function(), false, -1, probe.cookie()));
                if (probe.onReturn() != null) {
                    links.add(probe.onReturn().attachUprobe(lib.path(), probe.function(), true, -1, probe.cookie()));
                }
                ok.add(probe.function());
            } catch (RuntimeException e) {
                missing.add(probe.function());
                log.warn(state.plan.family() + ": cannot probe " + probe.function() + " in " + lib.path() + ": " + e.getMessage());
            }
        }
        attached.put(key, new AttachedLibrary(state.plan.family(), state.plan.libraryKind(), lib.path(), ok, missing));
        log.info(state.plan.family() + ": probing " + ok.size() + " functions in " + lib.path());
    }

    synchronized List<AttachedLibrary> attached() {
        return List.copyOf(attached.values());
    }

    /** Files named like a probed library that define none of its functions (stubs, fakes). */
    Map<String, String> withoutSymbols() {
        return Map.copyOf(withoutSymbols);
    }

    synchronized int linkCount() {
        return links.size();
    }

}
