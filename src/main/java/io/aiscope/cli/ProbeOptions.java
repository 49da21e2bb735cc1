package io.aiscope.cli;

import io.aiscope.engine.AgentLog;
import io.aiscope.engine.Families;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.Session;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Options every tracing command shares: which families, how chatty, and how many processes get metric labels. */
final class ProbeOptions {
    @Option(names = "--probes", split = ",", paramLabel = "LIST",
            description = "Probe families to load (default: all): ${COMPLETION-CANDIDATES}",
            completionCandidates = FamilyNames.class)
    List<String> probes = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "Print what aiscope attaches, and libbpf's messages, on stderr")
    boolean verbose;

    @Option(names = "--max-labelled-processes", paramLabel = "N", defaultValue = "100",
            description = "Processes that get their own pid/comm metric labels; the rest share pid=\"other\" (default ${DEFAULT-VALUE})")
    int maxLabelled;

    /** The requested family names, in registry order. */
    List<String> names() {
        return Families.create(probes).stream().map(ProbeFamily::name).toList();
    }

    Session openSession() {
        Session session = new Session(new AgentLog(System.err, verbose), new ProcessNames(maxLabelled));
        session.load(Families.create(probes));
        return session;
    }

    static final class FamilyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Families.names().iterator();
        }
    }
}
