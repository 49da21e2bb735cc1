package io.aiscope.cli;

import picocli.CommandLine.Command;

@Command(name = "doctor", mixinStandardHelpOptions = true, description = "(being written)")
final class DoctorCommand implements Runnable {
    @Override
    public void run() {
        throw new io.aiscope.engine.AiscopeException("not yet available");
    }
}
