package io.aiscope.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.agents.LlmReport;
import io.aiscope.engine.AgentStats;
import io.aiscope.engine.AttachedLibrary;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.Session;

import java.util.List;

/** The report of a trace as one JSON tree: what the workload did, per family, and how aiscope fared. */
public final class RunReport {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Families whose requests can be LLM calls: with one of them loaded the report has an {@code llm} section. */
    private static final java.util.Set<String> REQUEST_FAMILIES = java.util.Set.of("http", "tls");

    private RunReport() {}

    /** {@code requested} names every family asked for, so one this kernel refused still has its section. */
    public static ObjectNode build(Session session, List<String> requested, Integer exitCode, List<String> command,
                                   long durationNs) {
        ObjectNode root = JSON.createObjectNode();
        if (exitCode != null) {
            root.put("exit_code", exitCode);
        }
        if (command != null) {
            command.forEach(root.putArray("command")::add);
        }
        root.put("duration_ms", durationNs / 1e6);
        AgentStats stats = session.stats();
        for (String name : requested) {
            ObjectNode section = root.putObject(name);
            String reason = stats.unavailable().get(name);
            if (reason != null) {
                section.put("available", false);
                section.put("reason", reason);
            }
        }
        for (ProbeFamily family : session.families()) {
            ObjectNode section = root.has(family.name()) ? (ObjectNode) root.get(family.name()) : root.putObject(family.name());
            family.report(section, session.names());
        }
        if (session.families().stream().anyMatch(f -> REQUEST_FAMILIES.contains(f.name()))) {
            LlmReport.write(root.putObject("llm"), session.agents(), session.names());
        }
        writeAgent(root.putObject("agent"), stats);
        return root;
    }

    private static void writeAgent(ObjectNode agent, AgentStats stats) {
        agent.put("events", stats.events());
        agent.put("dropped", stats.dropped());
        ObjectNode byFamily = agent.putObject("dropped_by_family");
        stats.droppedByFamily().forEach(byFamily::put);
        agent.put("undecodable", stats.undecodable());
        agent.put("reader_error", stats.readerError());
        agent.put("attach_ms", stats.attachNs() / 1e6);
        var libs = agent.putArray("libraries");
        for (AttachedLibrary a : stats.libraries()) {
            ObjectNode o = libs.addObject();
            o.put("family", a.family());
            o.put("kind", a.kind());
            o.put("path", a.path().toString());
            a.functions().forEach(o.putArray("probed")::add);
            a.missing().forEach(o.putArray("missing")::add);
        }
        ObjectNode without = agent.putObject("libraries_without_symbols");
        stats.librariesWithoutSymbols().forEach(without::put);
        ObjectNode unavailable = agent.putObject("unavailable");
        stats.unavailable().forEach(unavailable::put);
        stats.warnings().forEach(agent.putArray("warnings")::add);
        ObjectNode symbols = agent.putObject("symbol_failures");
        var f = stats.symbolFailures();
        symbols.put("process_gone", f.processGone());
        symbols.put("unmapped", f.unmapped());
        symbols.put("no_readable_file", f.noReadableFile());
        symbols.put("no_symbol", f.noSymbol());
    }
}
