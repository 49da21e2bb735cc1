package io.aiscope.engine;

import io.aiscope.agents.AgentCorrelator;
import io.aiscope.bpf.BpfMap;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.EventRings;
import io.aiscope.bpf.LibbpfLog;
import io.aiscope.correlate.Activity;
import io.aiscope.correlate.ProcessAction;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.proc.ProcFamily;
import io.aiscope.symbols.AddressResolver;
import io.aiscope.symbols.Demangler;
import io.aiscope.target.ProcessMaps;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A running trace: the proc family's object (which owns the shared target set) plus the selected families,
 * loaded and attached; one reader thread for all event rings; a housekeeping thread that reads in-kernel
 * aggregates and looks for new libraries to probe. Closing it detaches everything.
 */
public final class Session implements AutoCloseable {
    /**
     * How often traced processes' maps are read again for new libraries. The exec event and the loader hook find
     * them at once; this is the safety net for a loader without the hook (static binaries that map code
     * themselves) and for events lost to a full ring.
     */
    private static final int LIBRARY_RESCAN_MS = 2000;
    /** The same when every process is traced, where a pass reads every process's maps. */
    private static final int LIBRARY_RESCAN_ALL_MS = 5000;
    /** How long a final drain waits for a reader that is far behind. */
    private static final long DRAIN_TIMEOUT_MS = 30_000;
    /** How long after an LLM answer an action of its process tree still counts as following from it, by default. */
    public static final long DEFAULT_EFFECTS_WINDOW_NS = 30_000_000_000L;

    private final Kernel kernel = Kernel.current();
    private final AgentLog log;
    private final ProcessNames names;
    private final ProcFamily proc;
    private final List<ProbeFamily> families = new ArrayList<>();
    private final Map<ProbeFamily, BpfObject> objects = new LinkedHashMap<>();
    private final EventRings rings = new EventRings();
    private final LibraryAttacher libraries;
    private final AddressResolver symbols = new AddressResolver(Demangler.create());
    private final List<Consumer<TraceEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<TracedRequest>> requestListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ProcessAction>> actionListeners = new CopyOnWriteArrayList<>();
    private final Activity activity = new Activity();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("aiscope-housekeeping").daemon().unstarted(r));
    private final long startedNs = System.nanoTime();
    /** Processes stopped at a library load that wait for our SIGCONT; never left stopped, even on close. */
    private final Set<Integer> stoppedForProbes = ConcurrentHashMap.newKeySet();
    private volatile boolean familiesStarted;
    private AgentCorrelator agents = new AgentCorrelator(DEFAULT_EFFECTS_WINDOW_NS);
    private int contentCaptureBytes;
    private Targets targets;
    private int ringBytes;
    private boolean traceAll;
    private long attachedNs;

    public Session(AgentLog log, ProcessNames names) {
        this.log = log;
        this.names = names;
        this.libraries = new LibraryAttacher(log);
        this.proc = new ProcFamily(new ProcFamily.Listener() {
            @Override
            public void exec(int pid, String filename) {
                onExec(pid, filename);
            }

            @Override
            public void librariesChanged(int pid, boolean stopped) {
                onLibrariesChanged(pid, stopped);
            }
        }, names);
        onRequest(r -> agents.request(r));
        onAction(a -> agents.action(a));
        LibbpfLog.sendTo((level, line) -> {
            if (level == LibbpfLog.Level.WARN) {
                log.warn(line);
            } else {
                log.info(line);
            }
        });
    }

    private void onExec(int pid, String filename) {
        // On the event thread, at once: a short-lived process may be gone by the time a queued task runs,
        // and its kernel launches must still resolve to names.
        symbols.remember(pid);
        symbols.rememberFile(Path.of(filename));
        // The program itself (a static runtime in it); the libraries ld.so maps next arrive by the loader hook.
        try {
            housekeeping.execute(() -> scanLibraries(pid));
        } catch (RejectedExecutionException closing) {
            // The session is closing: nothing more gets probed.
        }
    }

    private void onLibrariesChanged(int pid, boolean stopped) {
        if (stopped) {
            stoppedForProbes.add(pid);
        }
        try {
            housekeeping.execute(() -> {
                try {
                    scanLibraries(pid);
                } finally {
                    resumeIfStopped(pid);
                }
            });
        } catch (RejectedExecutionException closing) {
            resumeIfStopped(pid);
        }
    }

    private void resumeIfStopped(int pid) {
        if (stoppedForProbes.remove(pid)) {
            Launcher.resume(pid);
        }
    }

    /** Bytes of every family's event ring (a power of two, a page at least) instead of each family's own size. */
    public void ringSize(int bytes) {
        ringBytes = bytes;
    }

    /** How long after an LLM call's answer its process tree's actions are tied to it; before {@link #start}. */
    public void effectsWindow(long windowNs) {
        agents = new AgentCorrelator(windowNs);
    }

    /** Keep up to this many bytes of prompts and completions of LLM calls (0, the default: none); before start. */
    public void captureContent(int bytes) {
        contentCaptureBytes = bytes;
    }

    /** LLM calls of traced processes and what followed each. */
    public AgentCorrelator agents() {
        return agents;
    }

    /** Loads the proc object and each of {@code selected}; a family this kernel refuses is reported, not fatal. */
    public void load(List<ProbeFamily> selected) {
        kernel.requireTracing();
        BpfObject core = proc.open();
        libraries.prepare(core);
        core.load();
        objects.put(proc, core);
        families.add(proc);
        targets = new Targets(core.map("targets"), core.map("settings"));
        for (ProbeFamily family : selected) {
            BpfObject object = family.open();
            try {
                object.map("targets").reuse(core.map("targets"));
                object.map("settings").reuse(core.map("settings"));
                family.beforeLoad(object, kernel);
                if (ringBytes > 0) {
                    object.map("events").setMaxEntries(ringBytes);
                }
                libraries.prepare(object); // uprobe programs: uprobe_multi where the kernel has it
                object.load();
            } catch (RuntimeException e) {
                object.close();
                log.unavailable(family.name(), e.getMessage());
                continue;
            }
            objects.put(family, object);
            families.add(family);
        }
    }

    public Targets targets() {
        return targets;
    }

    /** Starts reading events and attaching; targets should be seeded first for -p, or after for a launch. */
    public void start(boolean traceAllProcesses) {
        this.traceAll = traceAllProcesses;
        // Stopping at library loads is for the processes the user named, never for every process on the machine.
        targets.configure(traceAll, !traceAll);
        for (var entry : objects.entrySet()) {
            ProbeFamily family = entry.getKey();
            BpfObject object = entry.getValue();
            rings.add(object.map("events"), family::onEvent);
        }
        // Not before every family has started: the reader runs while they attach, and a pass may end meanwhile.
        rings.afterEachPass(() -> {
            if (familiesStarted) {
                families.forEach(ProbeFamily::eventsRead);
            }
        });
        rings.start();
        for (var entry : objects.entrySet()) {
            entry.getKey().start(contextFor(entry.getValue()));
        }
        familiesStarted = true;
        attachedNs = System.nanoTime() - startedNs;
        housekeeping.scheduleWithFixedDelay(this::housekeep, 1000, 1000, TimeUnit.MILLISECONDS);
        int rescanMs = traceAll ? LIBRARY_RESCAN_ALL_MS : LIBRARY_RESCAN_MS;
        housekeeping.scheduleWithFixedDelay(this::rescanTargets, rescanMs, rescanMs, TimeUnit.MILLISECONDS);
    }

    private FamilyContext contextFor(BpfObject object) {
        return new FamilyContext() {
            @Override
            public BpfObject object() {
                return object;
            }

            @Override
            public Kernel kernel() {
                return kernel;
            }

            @Override
            public Consumer<TraceEvent> events() {
                return Session.this::publish;
            }

            @Override
            public boolean wantsEvents() {
                return !listeners.isEmpty();
            }

            @Override
            public Consumer<TracedRequest> requests() {
                return request -> requestListeners.forEach(l -> l.accept(request));
            }

            @Override
            public Consumer<ProcessAction> actions() {
                return action -> actionListeners.forEach(l -> l.accept(action));
            }

            @Override
            public int contentCaptureBytes() {
                return contentCaptureBytes;
            }

            @Override
            public Activity activity() {
                return activity;
            }

            @Override
            public AgentLog log() {
                return log;
            }

            @Override
            public void probeLibraries(List<UprobePlan> plans) {
                plans.forEach(libraries::add);
            }

            @Override
            public AddressResolver symbols() {
                return symbols;
            }
        };
    }

    /** Registers a process aiscope traces from now on (and its existing descendants), probing its libraries. */
    public void trace(int pid) {
        for (int p : targets.addWithDescendants(pid)) {
            proc.seed(p);
            scanLibraries(p);
        }
    }

    private void publish(TraceEvent event) {
        for (Consumer<TraceEvent> l : listeners) {
            l.accept(event);
        }
    }

    /** Receives every decoded event, on the event thread: keep it quick. */
    public void onEvent(Consumer<TraceEvent> listener) {
        listeners.add(listener);
    }

    /** Receives every finished request with its decomposition, on the event thread: keep it quick. */
    public void onRequest(Consumer<TracedRequest> listener) {
        requestListeners.add(listener);
    }

    /** Receives what traced processes did (fork, exec, exit, file opens, connects), on the event thread. */
    public void onAction(Consumer<ProcessAction> listener) {
        actionListeners.add(listener);
    }

    /** Probes what {@code pid} maps now that was not probed yet; one read of its maps serves all. */
    private void scanLibraries(int pid) {
        ProcessMaps maps;
        try {
            maps = ProcessMaps.read(pid);
        } catch (IOException gone) {
            return;
        }
        symbols.remember(pid, maps);
        try {
            libraries.scan(pid, maps);
            families.forEach(f -> f.processMapped(pid, maps));
        } catch (RuntimeException e) {
            log.info("library scan of " + pid + " failed: " + e.getMessage());
        }
    }

    private void rescanTargets() {
        for (int pid : traceAll ? Targets.allProcesses() : targets.current()) {
            scanLibraries(pid);
        }
    }

    private void housekeep() {
        for (ProbeFamily f : families) {
            try {
                f.collect();
            } catch (RuntimeException e) {
                log.warn(f.name() + ": reading in-kernel aggregates failed: " + e.getMessage());
            }
        }
    }

    /** Reads the rings and in-kernel aggregates one last time, for a final report. */
    public void drain() {
        try {
            // Three passes: the first may have begun before the call; the second began after it and read the rings
            // to their end; requests whose end that pass read are correlated one pass later, in the third.
            if (!rings.awaitPasses(3, DRAIN_TIMEOUT_MS)) {
                log.warn("the event reader did not catch up within " + DRAIN_TIMEOUT_MS / 1000
                        + " s: the report may miss the last events");
            }
            // On the housekeeping thread, so that families' collect() never runs on two threads at once.
            housekeeping.submit(this::housekeep).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("reading in-kernel aggregates failed: " + e.getCause());
        } catch (RejectedExecutionException closing) {
            housekeep(); // the housekeeping thread is gone: no other thread collects any more
        }
    }

    public List<ProbeFamily> families() {
        return List.copyOf(families);
    }

    public AgentStats stats() {
        Map<String, Long> dropped = new LinkedHashMap<>();
        objects.forEach((family, object) -> dropped.put(family.name(), object.map("dropped").sumPerCpu(0)));
        return new AgentStats(rings.received(), dropped, rings.consumerErrors(), attachedNs,
                libraries.attached(), libraries.withoutSymbols(), log.unavailable(), warnings(),
                symbols.failures(), rings.failure() == null ? null : rings.failure().toString());
    }

    /** The log's warnings, and what the first event that could not be handled threw. */
    private List<String> warnings() {
        List<String> all = new ArrayList<>(log.warnings());
        if (rings.firstConsumerError() != null) {
            all.add(rings.consumerErrors() + " events or passes could not be handled; the first: " + rings.firstConsumerError());
        }
        return all;
    }

    public AgentLog log() {
        return log;
    }

    public ProcessNames names() {
        return names;
    }

    @Override
    public void close() {
        if (targets != null) {
            targets.configure(traceAll, false);
        }
        housekeeping.shutdownNow();
        try {
            housekeeping.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rings.close();
        objects.values().forEach(BpfObject::close);
        List.copyOf(stoppedForProbes).forEach(this::resumeIfStopped);
    }
}
