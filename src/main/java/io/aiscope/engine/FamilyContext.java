package io.aiscope.engine;

import io.aiscope.bpf.BpfLink;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.correlate.Activity;
import io.aiscope.correlate.ProcessAction;
import io.aiscope.correlate.TracedRequest;

import java.util.List;
import java.util.function.Consumer;

/** What a family gets from the session when it starts. */
public interface FamilyContext {
    BpfObject object();

    Kernel kernel();

    /** Where the family announces its decoded events (trace output, correlation). */
    Consumer<TraceEvent> events();

    /** Whether anyone reads single events (trace, record): families skip building them otherwise. */
    boolean wantsEvents();

    /** Where a family announces finished requests (the http family) for the request outputs. */
    Consumer<TracedRequest> requests();

    /** What families record for requests' decompositions (CUDA calls, retransmits), when anyone correlates. */
    Activity activity();

    /** Where the proc family announces what traced processes did (the agent correlation reads it). */
    Consumer<ProcessAction> actions();

    /** Bytes of LLM prompts and completions to keep per call; 0 (the default) keeps no content at all. */
    int contentCaptureBytes();

    AgentLog log();

    /**
     * Attaches a kernel-side program where its section says; a refusal is logged and the program reported as
     * unavailable, the rest of the family goes on.
     */
    default void attachOrReport(BpfProgram program) {
        try {
            BpfLink link = program.attach();
            log().info(object().name() + ": attached " + link.description());
        } catch (RuntimeException e) {
            log().unavailable(object().name() + "/" + program.name(), e.getMessage());
        }
    }

    /** Libraries this family wants uprobes in; the session finds and attaches them. */
    void probeLibraries(List<UprobePlan> plans);

    /** Resolves addresses of traced processes to symbols (kernel names of launches). */
    io.aiscope.symbols.AddressResolver symbols();
}
