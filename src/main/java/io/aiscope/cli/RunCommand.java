package io.aiscope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.Launcher;
import io.aiscope.engine.Session;
import io.aiscope.output.otlp.OtlpRequestExporter;
import io.aiscope.report.RunReport;
import io.aiscope.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Launch COMMAND, trace it and all its descendants until it exits, then report.",
                "The readable report goes to stderr (COMMAND's own output is untouched); aiscope exits with COMMAND's exit code."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ProbeOptions options;

    @Option(names = "--json", paramLabel = "FILE|-",
            description = "Write the report as JSON to FILE, or to stdout with '-' (COMMAND's stdout then goes to stderr)")
    String json;

    @Mixin
    OtlpOptions otlpOptions;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The command to run, after --")
    List<String> command;

    @Override
    public Integer call() throws IOException {
        boolean jsonToStdout = "-".equals(json);
        List<String> requested = options.names();
        try (OtlpRequestExporter otlp = otlpOptions.open(); Session session = options.openSession()) {
            OtlpOptions.exportFrom(session, otlp);
            session.start(false);
            long started = System.nanoTime();
            Process process = Launcher.startStopped(command, jsonToStdout);
            session.trace((int) process.pid());
            Launcher.resume(process);
            int exitCode = waitFor(process);
            long duration = System.nanoTime() - started;
            session.drain();
            ObjectNode report = RunReport.build(session, requested, exitCode, command, duration);
            OtlpOptions.finish(otlp);
            if (jsonToStdout) {
                System.out.println(RunReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } else {
                if (json != null) {
                    Files.writeString(Path.of(json), RunReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
                }
                new TextReport(System.err).print(report);
            }
            return exitCode;
        }
    }

    private static int waitFor(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // Ctrl-C reaches the command too; keep waiting so the report covers its end.
            }
        }
    }
}
