package io.aiscope.cli;

import io.aiscope.engine.AgentLog;
import io.aiscope.engine.AiscopeException;
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

    @Option(names = "--ring-kib", paramLabel = "N",
            description = "Size of each probe family's event ring in KiB, a power of two >= 4 (default: the family's own: 16384 for cuda and http, 4096 for the others)")
    Integer ringKib;

    @Option(names = "--capture-content", paramLabel = "BYTES", arity = "0..1", fallbackValue = "4096",
            description = {"Keep the text of LLM prompts and completions, up to BYTES each per call (default 4096 when"
                    + " given without a size). Off by default: outputs show no content."})
    Integer captureContentBytes;

    @Option(names = "--effects-window", paramLabel = "S", defaultValue = "30",
            description = "Seconds after an LLM answer during which its process tree's commands, file writes and"
                    + " connections are tied to it (default ${DEFAULT-VALUE})")
    double effectsWindowSeconds;

    Session openSession() {
        if (captureContentBytes != null && (captureContentBytes < 1 || captureContentBytes > (1 << 24))) {
            throw new AiscopeException("--capture-content must be 1 to 16777216 bytes, not " + captureContentBytes);
        }
        if (!(effectsWindowSeconds > 0) || effectsWindowSeconds > 86_400) {
            throw new AiscopeException("--effects-window must be more than 0 and at most 86400 seconds");
        }
        Session session = new Session(new AgentLog(System.err, verbose), new ProcessNames(maxLabelled));
        session.effectsWindow((long) (effectsWindowSeconds * 1e9));
        if (captureContentBytes != null) {
            session.captureContent(captureContentBytes);
        }
        if (ringKib != null) {
            if (ringKib < 4 || Integer.bitCount(ringKib) != 1 || ringKib > (1 << 20)) {
                throw new AiscopeException("--ring-kib must be a power of two from 4 to 1048576, not " + ringKib);
            }
            session.ringSize(ringKib * 1024);
        }
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
