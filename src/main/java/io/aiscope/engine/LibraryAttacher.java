package io.aiscope.engine;

import io.aiscope.bpf.BpfLink;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.bpf.BpfSupport;
import io.aiscope.bpf.UprobeMulti;
import io.aiscope.target.LibraryCandidate;
import io.aiscope.target.LibraryFinder;
import io.aiscope.target.LibrarySearch;
import io.aiscope.target.ProcessMaps;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Puts each family's uprobes into every copy of its library: the system's, ones bundled in wheels or apps, any
 * version, and executables that link it statically with symbols. A uprobe on a file fires in every process
 * mapping it, and the BPF side keeps only traced processes, so each file is attached once, whoever maps it.
 */
final class LibraryAttacher {
    /** System property: "false" keeps one uprobe link per function even where the kernel has uprobe_multi. */
    static final String MULTI_PROPERTY = "aiscope.uprobe.multi";

    private final AgentLog log;
    private final List<PlanState> plans = new ArrayList<>();
    private final Map<String, AttachedLibrary> attached = new LinkedHashMap<>();
    private final Map<String, String> withoutSymbols = new ConcurrentHashMap<>();
    private final List<BpfLink> links = new ArrayList<>();
    private Boolean multi;

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
    synchronized void scan(int pid, ProcessMaps maps) {
        for (PlanState state : plans) {
            for (LibraryCandidate c : state.finder.findInProcess(pid, maps)) {
                attach(state, c);
            }
        }
    }

    /**
     * Before load: where the kernel has uprobe_multi links, the object's uprobe programs are made for them, so that
     * each program goes into a file with one link for all its functions (detached with one synchronisation, where
     * one link per function costs about 100 ms apiece to close). Decided once per session.
     */
    synchronized void prepare(BpfObject object) {
        if (multi()) {
            object.useUprobeMulti();
        }
    }

    private boolean multi() {
        if (multi == null) {
            if ("false".equals(System.getProperty(MULTI_PROPERTY))) {
                multi = false;
                log.info("uprobes: one link per function (" + MULTI_PROPERTY + "=false)");
            } else {
                multi = BpfSupport.uprobeMulti();
                log.info(multi ? "uprobes: one uprobe_multi link per program and file"
                        : "uprobes: one link per function (this kernel has no uprobe_multi links)");
            }
        }
        return multi;
    }

    private void attach(PlanState state, LibraryCandidate lib) {
        String key = state.plan.family() + "/" + state.plan.libraryKind() + "@" + lib.device() + ":" + lib.inode();
        if (attached.containsKey(key)) {
            return;
        }
        List<UprobePlan.Probe> present = state.plan.probes().stream()
                .filter(p -> lib.definedNames().contains(p.function())).toList();
        Set<String> failed = new HashSet<>();
        int before = links.size();
        Set<String> functions = new LinkedHashSet<>();
        present.forEach(p -> functions.add(p.function()));
        Attempt attempt = new Attempt(state.plan, lib.path(), functions, failed);
        // Return probes first: a call in flight while attaching then has no entry record and is skipped whole,
        // rather than entered with no return to complete it.
        attempt.attach(present.stream().filter(p -> p.onReturn() != null).toList(), UprobePlan.Probe::onReturn, true);
        attempt.attach(present.stream().filter(p -> !failed.contains(p.function())).toList(),
                UprobePlan.Probe::onEntry, false);
        List<String> ok = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (UprobePlan.Probe probe : state.plan.probes()) {
            boolean defined = lib.definedNames().contains(probe.function());
            (defined && !failed.contains(probe.function()) ? ok : missing).add(probe.function());
        }
        attached.put(key, new AttachedLibrary(state.plan.family(), state.plan.libraryKind(), lib.path(), ok, missing));
        int added = links.size() - before;
        String how = added + (added == 1 ? " link" : " links");
        if (attempt.multiLinks > 0) {
            how = attempt.multiLinks == added ? added + " uprobe_multi" + (added == 1 ? " link" : " links")
                    : how + ", " + attempt.multiLinks + " of them uprobe_multi";
        }
        log.info(state.plan.family() + ": probing " + ok.size() + " functions in " + lib.path() + " with " + how);
    }

    /** Attaching one plan to one file: the functions that fail go into {@code failed}, with a warning each. */
    private final class Attempt {
        private final UprobePlan plan;
        private final String family;
        private final Path path;
        private final Set<String> failed;
        private final Set<String> functions;
        private Map<String, UprobePlan.Place> places;
        /** The probed functions' symbols in the file: read with {@link #places}. */
        private Map<String, Long> offsets = Map.of();
        int multiLinks;

        Attempt(UprobePlan plan, Path path, Set<String> functions, Set<String> failed) {
            this.plan = plan;
            this.family = plan.family();
            this.path = path;
            this.functions = functions;
            this.failed = failed;
        }

        /** Puts {@code programOf} of each probe on its function: a multi link per program, or one per function. */
        void attach(List<UprobePlan.Probe> probes, Function<UprobePlan.Probe, BpfProgram> programOf, boolean onReturn) {
            Map<BpfProgram, List<UprobePlan.Probe>> multiGroups = new LinkedHashMap<>();
            for (UprobePlan.Probe probe : probes) {
                BpfProgram program = programOf.apply(probe);
                if (program.isUprobeMulti()) {
                    multiGroups.computeIfAbsent(program, p -> new ArrayList<>()).add(probe);
                    continue;
                }
                try {
                    links.add(program.attachUprobe(path, probe.function(), onReturn, -1, probe.cookie()));
                } catch (RuntimeException e) {
                    fail(probe.function(), e.getMessage());
                }
            }
            multiGroups.forEach((program, group) -> attachMulti(program, group, onReturn));
        }

        private void attachMulti(BpfProgram program, List<UprobePlan.Probe> group, boolean onReturn) {
            List<BpfProgram.UprobeTarget> targets = new ArrayList<>();
            for (UprobePlan.Probe probe : group) {
                UprobePlan.Place place = places().get(probe.function());
                if (place != null) {
                    targets.add(new BpfProgram.UprobeTarget(probe.function(), place.fileOffset(), place.cookie()));
                } else if (!offsets.containsKey(probe.function())) {
                    fail(probe.function(), "no file offset for it in the ELF file");
                } // else covered by another probe's place
            }
            if (targets.isEmpty()) {
                return;
            }
            try {
                links.add(program.attachUprobeMulti(path, targets, onReturn, -1));
                multiLinks++;
                return;
            } catch (RuntimeException e) {
                if (targets.size() == 1) {
                    fail(targets.getFirst().function(), e.getMessage());
                    return;
                }
                log.warn(family + ": " + e.getMessage() + "; trying its functions one by one");
            }
            // One function the kernel refuses sinks the whole link: find which, keep the others.
            for (BpfProgram.UprobeTarget target : targets) {
                try {
                    links.add(program.attachUprobeMulti(path, List.of(target), onReturn, -1));
                    multiLinks++;
                } catch (RuntimeException e) {
                    fail(target.function(), e.getMessage());
                }
            }
        }

        /** Where each probe goes in this file (uprobe_multi links take file offsets, so the plan may move them). */
        private Map<String, UprobePlan.Place> places() {
            if (places == null) {
                try {
                    offsets = UprobeMulti.fileOffsets(path, functions);
                    places = plan.placement().place(path, plan.probes(), offsets);
                } catch (IOException e) {
                    log.warn(family + ": cannot read the symbols of " + path + ": " + e.getMessage());
                    places = Map.of();
                }
            }
            return places;
        }

        private void fail(String function, String reason) {
            if (failed.add(function)) {
                log.warn(family + ": cannot probe " + function + " in " + path + ": " + reason);
            }
        }
    }

    synchronized List<AttachedLibrary> attached() {
        return List.copyOf(attached.values());
    }

    /** Files named like a probed library that define none of its functions (stubs, fakes). */
    Map<String, String> withoutSymbols() {
        return Map.copyOf(withoutSymbols);
    }

}
