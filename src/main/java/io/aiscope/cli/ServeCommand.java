package io.aiscope.cli;

import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "(being written)")
final class ServeCommand implements Runnable {
    @Override
    public void run() {
        throw new io.aiscope.engine.AiscopeException("not yet available");
    }
}
