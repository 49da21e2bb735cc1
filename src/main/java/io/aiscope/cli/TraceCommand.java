package io.aiscope.cli;

import picocli.CommandLine.Command;

@Command(name = "trace", mixinStandardHelpOptions = true, description = "(being written)")
final class TraceCommand implements Runnable {
    @Override
    public void run() {
        throw new io.aiscope.engine.AiscopeException("not yet available");
    }
}
