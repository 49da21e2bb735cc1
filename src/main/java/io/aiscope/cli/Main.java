package io.aiscope.cli;

import io.aiscope.bpf.BpfException;
import io.aiscope.engine.AiscopeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** aiscope's entry point: one subcommand per job, errors as one line and a non-zero exit, never a stack trace. */
@Command(name = "aiscope", mixinStandardHelpOptions = true, version = "aiscope 0.1.0",
        description = "Zero-instrumentation observability for AI infrastructure, built on eBPF.",
        subcommands = {RunCommand.class, TopCommand.class, RequestsCommand.class, AgentsCommand.class, TraceCommand.class, RecordCommand.class, ServeCommand.class, DoctorCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof AiscopeException || e instanceof BpfException) {
                cmd.getErr().println("aiscope: " + e.getMessage());
                return 1;
            }
            cmd.getErr().println("aiscope: internal error: " + e);
            if (System.getenv("AISCOPE_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("aiscope: set AISCOPE_DEBUG=1 for the stack trace");
            }
            return 70;
        });
        return cli.execute(args);
    }
}
