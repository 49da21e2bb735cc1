package io.aiscope.cli;

import picocli.CommandLine.Command;

@Command(name = "top", mixinStandardHelpOptions = true, description = "(being written)")
final class TopCommand implements Runnable {
    @Override
    public void run() {
        throw new io.aiscope.engine.AiscopeException("not yet available");
    }
}
